import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmUrl, consoleOrigin, dashboardUrl, endpointLogGroup, endpointUrl, inferenceIdsQuery, jobUrl, jsurl, logGroupUrl, logsInsightsUrl, queryCommand, shellQuote } from '../../lib/alerts/links';
import { InvalidRegionError } from '../../lib/alerts/errors';

describe('console links', () => {
  it('uses the console of the region and its partition', () => {
    expect(consoleOrigin('eu-central-1')).toBe('https://eu-central-1.console.aws.amazon.com');
    expect(consoleOrigin('cn-northwest-1')).toBe('https://cn-northwest-1.console.amazonaws.cn');
    expect(consoleOrigin('us-gov-west-1')).toBe('https://console.amazonaws-us-gov.com');
    expect(() => consoleOrigin('Europe (Ireland)')).toThrow(InvalidRegionError);
    expect(() => consoleOrigin('us-east-1.evil.example#')).toThrow(InvalidRegionError);
  });

  it('links an alarm by its URL-encoded name', () => {
    expect(alarmUrl('us-east-1', 'p99 latency / blue & green')).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/p99%20latency%20%2F%20blue%20%26%20green',
    );
  });

  it('links a dashboard', () => {
    expect(dashboardUrl('us-east-1', 'sagewatch-churn')).toBe('https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/sagewatch-churn');
  });

  it('encodes a log group the way the Logs console reads it ($252F for /)', () => {
    expect(logGroupUrl('us-east-1', endpointLogGroup('churn-model'))).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FEndpoints$252Fchurn-model',
    );
    expect(logGroupUrl('us-east-1', '/a/[b]')).toContain('log-group/$252Fa$252F$255Bb$255D');
  });

  it('links SageMaker endpoints and jobs', () => {
    expect(endpointUrl('us-east-1', 'churn-model')).toBe('https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/endpoints/churn-model');
    expect(jobUrl('us-east-1', 'training-job', 'train-7')).toBe('https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/train-7');
    expect(jobUrl('us-east-1', 'processing-job', 'p-1')).toContain('#/processing-jobs/p-1');
    expect(jobUrl('us-east-1', 'transform-job', 't-1')).toContain('#/transform-jobs/t-1');
    expect(jobUrl('us-east-1', 'tuning-job', 'h-1')).toContain('#/hyper-tuning-jobs/h-1');
  });
});

describe('Logs Insights links', () => {
  it('puts query, log groups and absolute UTC range in JSURL after queryDetail', () => {
    const url = logsInsightsUrl('us-east-1', {
      logGroups: ['/aws/sagemaker/Endpoints/e1'],
      query: 'fields @message | limit 5',
      start: '2024-01-01T00:00:00Z',
      end: Date.UTC(2024, 0, 1, 1),
    });
    expect(url).toBe(
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D' +
        "~(end~'2024-01-01T01*3a00*3a00.000Z~start~'2024-01-01T00*3a00*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC" +
        "~editorString~'fields*20*40message*20*7c*20limit*205~source~(~'*2faws*2fsagemaker*2fEndpoints*2fe1))",
    );
  });

  it('round-trips any query and log groups through JSURL, with no character Slack links choke on', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.array(fc.string({ maxLength: 30 }), { maxLength: 3 }), (query, groups) => {
        const encoded = jsurl({ editorString: query, source: groups, start: -3600 });
        expect(encoded).toMatch(/^[A-Za-z0-9_.~'()*-]+$/);
        expect(parseJsurl(encoded)).toEqual({ editorString: query, source: groups, start: -3600 });
      }),
    );
  });

  it('builds a query for the data-log lines of given inference ids, regex-escaped', () => {
    expect(inferenceIdsQuery(['a.b', 'c/d'])).toBe('fields @timestamp, @logStream, @message\n| filter @message like /\\[(a\\.b|c\\/d)\\]/\n| sort @timestamp asc\n| limit 500');
  });
});

describe('sagewatch query command', () => {
  it('lists the request records of an endpoint in a window', () => {
    expect(queryCommand({ endpoint: 'churn-model', status: 'Failed', since: Date.UTC(2024, 0, 1), until: '2024-01-01T01:00:00Z' })).toBe(
      'sagewatch query --endpoint churn-model --status Failed --since 2024-01-01T00:00:00.000Z --until 2024-01-01T01:00:00.000Z',
    );
    expect(queryCommand({ inferenceId: 'abc-123' })).toBe('sagewatch query --inference-id abc-123');
  });

  it('shell-quotes what the shell would otherwise interpret', () => {
    expect(shellQuote('plain-name_1.2')).toBe('plain-name_1.2');
    expect(shellQuote("it's $HOME")).toBe(`'it'\\''s $HOME'`);
    expect(queryCommand({ inferenceId: 'a b;rm -rf /' })).toBe("sagewatch query --inference-id 'a b;rm -rf /'");
  });
});

/** An independent JSURL reader (the notation of the Logs Insights page), for the round trip. */
function parseJsurl(text: string): unknown {
  let i = 0;
  const readToken = (): string => {
    let out = '';
    while (i < text.length && !"~()'".includes(text[i]!)) {
      if (text[i] === '*') {
        if (text[i + 1] === '*') {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else {
          out += String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16));
          i += 3;
        }
      } else {
        out += text[i++];
      }
    }
    return out;
  };
  const value = (): unknown => {
    if (text[i] !== '~') throw new Error(`expected ~ at ${i}`);
    i++;
    const c = text[i];
    if (c === "'") {
      i++;
      return readToken();
    }
    if (c === '(') {
      i++;
      if (text[i] === '~') {
        const items: unknown[] = [];
        if (text[i + 1] === ')') {
          i += 2;
          return items;
        }
        while (text[i] === '~') items.push(value());
        i++;
        return items;
      }
      const object: Record<string, unknown> = {};
      while (text[i] !== ')') {
        const key = readToken();
        object[key] = value();
        if (text[i] === '~') i++;
      }
      i++;
      return object;
    }
    const start = i;
    while (i < text.length && !'~)'.includes(text[i]!)) i++;
    const word = text.slice(start, i);
    if (word === 'null') return null;
    if (word === 'true') return true;
    if (word === 'false') return false;
    return Number(word);
  };
  return value();
}
