import type { PutDashboardCommandInput } from '@aws-sdk/client-cloudwatch';
import { composeEndpointProfile } from '../profiles/compose';
import type { MetricUse, WidgetSpec } from '../profiles/types';
import type { EndpointModel, VariantModel } from '../sagemaker/model';
import { dashboardName, managedTags } from './names';

/**
 * One CloudWatch dashboard per endpoint: a header, then each variant's widgets from its
 * kinds' profiles, two per row.
 */
const WIDTH = 12;
const HEIGHT = 6;

type MetricLine = Array<string | { stat: string; label: string }>;

interface MetricWidget {
  title: string;
  lines: MetricLine[];
}

function line(use: MetricUse, dimensions: Array<[string, string]>, label: string): MetricLine {
  return [use.metric.namespace, use.metric.name, ...dimensions.flat(), { stat: use.stat, label }];
}

function widgetsOfVariant(model: EndpointModel, variant: VariantModel, spec: WidgetSpec): MetricWidget[] {
  const endpoint: [string, string] = ['EndpointName', model.name];
  const variantDim: [string, string] = ['VariantName', variant.name];
  switch (spec.scope) {
    case 'variant':
      return [{ title: `${spec.title} · ${variant.name}`, lines: spec.metrics.map((use) => line(use, [endpoint, variantDim], use.metric.name)) }];
    case 'container': {
      const named = variant.containers.filter((container) => container.name);
      if (named.length === 0) return [];
      return [
        {
          title: `${spec.title} · ${variant.name}`,
          lines: named.flatMap((container) =>
            spec.metrics.map((use) => line(use, [endpoint, variantDim, ['ContainerName', container.name!]], `${container.name} ${use.metric.name}`)),
          ),
        },
      ];
    }
    case 'component':
      return variant.inferenceComponents.map((component) => ({
        title: `${spec.title} · ${component.name}`,
        lines: spec.metrics.map((use) => line(use, [['InferenceComponentName', component.name]], use.metric.name)),
      }));
    default:
      return [];
  }
}

export function dashboardInput(model: EndpointModel, region: string, prefix: string): PutDashboardCommandInput {
  const widgets: MetricWidget[] = [];
  const seen = new Set<string>();
  for (const variant of model.variants) {
    const profile = composeEndpointProfile(variant.kinds);
    for (const spec of profile.widgets) {
      if (spec.requires === 'gpu' && !variant.gpu) continue;
      if (spec.scope === 'endpoint') {
        // Endpoint-wide widgets appear once, whichever variant brought them.
        if (seen.has(spec.title)) continue;
        seen.add(spec.title);
        widgets.push({ title: spec.title, lines: spec.metrics.map((use) => line(use, [['EndpointName', model.name]], use.metric.name)) });
        continue;
      }
      widgets.push(...widgetsOfVariant(model, variant, spec));
    }
  }

  const variants = model.variants
    .map((v) => `${v.name} (${v.hosting}${v.instanceType ? `, ${v.instanceType}` : ''}${v.instanceCount !== undefined ? ` × ${v.instanceCount}` : ''})`)
    .join(', ');
  const body = {
    widgets: [
      {
        type: 'text',
        x: 0,
        y: 0,
        width: 24,
        height: 2,
        properties: { markdown: `## sagewatch · endpoint ${model.name}\nKinds: ${model.kinds.join(', ') || 'unknown'} · variants: ${variants || 'none'}` },
      },
      ...widgets.map((widget, i) => ({
        type: 'metric',
        x: (i % 2) * WIDTH,
        y: 2 + Math.floor(i / 2) * HEIGHT,
        width: WIDTH,
        height: HEIGHT,
        properties: { title: widget.title, region, view: 'timeSeries', stacked: false, period: 60, metrics: widget.lines },
      })),
    ],
  };
  return { DashboardName: dashboardName(prefix, model.name), DashboardBody: JSON.stringify(body), Tags: managedTags('endpoint', model.name) };
}
