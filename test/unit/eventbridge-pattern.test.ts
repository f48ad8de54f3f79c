import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesPattern, validatePattern, type EventPattern } from '../../lib/eventbridge/pattern';

// Each row cites the page it comes from by one of these names (anchors after "#"):
//   PATTERNS       https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
//   SYNTAX         https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern.html
//   NULLS          https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
//   ARRAYS         https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
//   CONTENT        https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
//   OPERATORS      https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//   WILDCARD_BLOG  https://aws.amazon.com/blogs/compute/filtering-events-in-amazon-eventbridge-with-wildcard-pattern-matching/
//   RULER          https://github.com/aws/event-ruler/blob/main/README.md (AWS's reference implementation)
// The older pages' markdown is in github.com/awsdocs/amazon-eventbridge-user-guide (doc_source/).

interface Row {
  readonly name: string;
  readonly pattern: EventPattern;
  readonly event: unknown;
  readonly expected: boolean;
}

const row = (name: string, pattern: EventPattern, event: unknown, expected: boolean): Row => ({ name, pattern, event, expected });

/** A leaf field under `detail`, the shape most documented examples use. */
const detail = (fields: Record<string, unknown>): Record<string, unknown> => ({ source: 'test', detail: fields });

// The EC2 event of the "Amazon EventBridge event patterns" page.
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

const ec2Terminated: EventPattern = {
  source: ['aws.ec2'],
  'detail-type': ['EC2 Instance State-change Notification'],
  detail: { state: ['terminated'] },
};

// The Auto Scaling event of the null-values page.
const autoScalingEvent = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// The (truncated) Macie event of the "Value matching" example.
const macieEvent = {
  source: 'aws.macie',
  'detail-type': 'Macie Alert',
  detail: {
    'notification-type': 'ALERT_CREATED',
    tags: ['Custom_Alert', 'Insider'],
    'risk-score': 80,
    trigger: { 'alert-type': 'basic', risk: 8 },
  },
};

// The sample event at the top of event-ruler's README, matched by its complex example.
const rulerEvent = {
  version: '0',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};

const complexPattern: EventPattern = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip': [{ cidr: '10.0.0.0/8' }],
  },
};

const employees = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

const documented: readonly Row[] = [
  // PATTERNS: the EC2 instance-termination pattern
  row('EC2 termination pattern matches the EC2 event', ec2Terminated, ec2Event, true),
  // PATTERNS: the same pattern, another state
  row('EC2 termination pattern rejects another state', ec2Terminated, { ...ec2Event, detail: { ...ec2Event.detail, state: 'running' } }, false),
  // SYNTAX#eb-filtering-match-values: any value of the array may match
  row('source is either aws.ec2 or aws.fargate (fargate)', { source: ['aws.ec2', 'aws.fargate'] }, { source: 'aws.fargate' }, true),
  // SYNTAX#eb-filtering-match-values
  row('source is either aws.ec2 or aws.fargate (lambda)', { source: ['aws.ec2', 'aws.fargate'] }, { source: 'aws.lambda' }, false),
  // SYNTAX#eb-create-pattern-considerations: exact character-by-character matching, no case-folding
  row('strings are case-sensitive', { source: ['AWS.EC2'] }, ec2Event, false),
  // SYNTAX#eb-create-pattern-considerations: no normalisation (whitespace)
  row('strings are not trimmed', { source: ['aws.ec2 '] }, ec2Event, false),
  // SYNTAX: the event must contain all the field names listed in the event pattern
  row('every pattern field must be present', { source: ['aws.ec2'], account: ['111122223333'], missing: ['x'] }, ec2Event, false),
  // PATTERNS#eb-filtering-value-example: risk score 80 and trigger risk 8
  row('Macie numbers match exactly', { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } }, macieEvent, true),
  // PATTERNS#eb-filtering-value-example, another score
  row('Macie numbers reject another value', { detail: { 'risk-score': [81] } }, macieEvent, false),
  // SYNTAX#eb-create-pattern-considerations: values follow JSON rules, a number is not a string
  row('number 80 does not match the string "80"', { detail: { 'risk-score': [80] } }, detail({ 'risk-score': '80' }), false),
  // SYNTAX#eb-create-pattern-considerations: the string "80" is not the number 80 either
  row('string "80" does not match the number 80', { detail: { 'risk-score': ['80'] } }, macieEvent, false),
  // SYNTAX#eb-create-pattern-considerations: true is a keyword, "true" a string
  row('true does not match the string "true"', { detail: { flag: [true] } }, detail({ flag: 'true' }), false),
  // SYNTAX#eb-create-pattern-considerations
  row('false matches false', { detail: { flag: [false] } }, detail({ flag: false }), true),
  // PATTERNS#eb-filtering-example: responseElements is null
  row('[null] matches a null field', { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, autoScalingEvent, true),
  // NULLS: eventVersion is an empty string
  row('[""] matches an empty string', { detail: { eventVersion: [''] } }, autoScalingEvent, true),
  // NULLS: null values and empty strings are not interchangeable
  row('[""] does not match null', { detail: { responseElements: [''] } }, autoScalingEvent, false),
  // NULLS: null values and empty strings are not interchangeable
  row('[null] does not match an empty string', { detail: { eventVersion: [null] } }, autoScalingEvent, false),
  // NULLS + SYNTAX (all pattern fields must be present): null is a value, absence is not
  row('[null] does not match a missing field', { detail: { userId: [null] } }, autoScalingEvent, false),
  // NULLS: the string "null" is not null
  row('[null] does not match the string "null"', { detail: { responseElements: [null] } }, detail({ responseElements: 'null' }), false),
  // ARRAYS: non-empty intersection of the pattern array and the event array
  row(
    'resources intersect',
    {
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'],
    },
    {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    },
    true,
  ),
  // ARRAYS: empty intersection
  row('resources do not intersect', { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] }, { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-00000000'] }, false),
  // RULER "JSON Array Matching": objects in an array are matched as the value of the field
  row('array of objects: one element has firstName Anna', { employees: { firstName: ['Anna'] } }, employees, true),
  // RULER "JSON Array Matching": both fields from the same element
  row('array of objects: Anna Smith is one element', { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees, true),
  // RULER "JSON Array Matching": two fields never match across two elements
  row('array of objects: Anna Jones spans two elements', { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees, false),
  // RULER "JSON Array Matching": multi-level arrays are crushed too
  row(
    'array of arrays of objects',
    { employees: { firstName: ['Peter'], lastName: ['Jones'] } },
    {
      employees: [
        [
          { firstName: 'John', lastName: 'Doe' },
          { firstName: 'Anna', lastName: 'Smith' },
        ],
        [{ firstName: 'Peter', lastName: 'Jones' }],
      ],
    },
    true,
  ),
  // CONTENT#eb-filtering-prefix-matching
  row('prefix matches the start of time', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }, true),
  // CONTENT#eb-filtering-prefix-matching
  row('prefix rejects another day', { time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' }, false),
  // CONTENT#eb-filtering-prefix-matching: prefix is for string values
  row('prefix never matches a number', { detail: { code: [{ prefix: '20' }] } }, detail({ code: 2017 }), false),
  // CONTENT "Prefix matching while ignoring case": EventB, EVENTB, eventb
  row('prefix ignoring case (EVENTBRIDGE)', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, detail({ service: 'EVENTBRIDGE' }), true),
  // CONTENT "Prefix matching while ignoring case"
  row('prefix ignoring case (eventbus)', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, detail({ service: 'eventbus' }), true),
  // CONTENT "Prefix matching while ignoring case"
  row('prefix ignoring case rejects another prefix', { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } }, detail({ service: 'Lambda' }), false),
  // CONTENT "Suffix matching": FileName ends with .png
  row('suffix .png', { FileName: [{ suffix: '.png' }] }, { FileName: 'holiday/beach.png' }, true),
  // CONTENT "Suffix matching" is case-sensitive
  row('suffix .png rejects .PNG', { FileName: [{ suffix: '.png' }] }, { FileName: 'beach.PNG' }, false),
  // CONTENT "Suffix matching"
  row('suffix .png rejects .jpg', { FileName: [{ suffix: '.png' }] }, { FileName: 'beach.jpg' }, false),
  // CONTENT "Suffix matching while ignoring case": .png and .PNG
  row('suffix ignoring case accepts .PNG', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, detail({ FileName: 'beach.PNG' }), true),
  // OPERATORS "Ends with (ignore case)": tbridge or TBRIDGE
  row('suffix ignoring case: EVENTBRIDGE ends with tbridge', { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, { service: 'EVENTBRIDGE' }, true),
  // OPERATORS "Equals (ignore case)": Name is "Alice"
  row('equals-ignore-case: ALICE', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'ALICE' }, true),
  // OPERATORS "Equals (ignore case)" is still equality, not a prefix
  row('equals-ignore-case rejects Alicia', { Name: [{ 'equals-ignore-case': 'alice' }] }, { Name: 'Alicia' }, false),
  // OPERATORS "Empty": LastName is empty
  row('empty LastName', { LastName: [''] }, { LastName: '' }, true),
  // CONTENT#eb-filtering-anything-but: string
  row('anything-but "initializing" accepts running', { detail: { state: [{ 'anything-but': 'initializing' }] } }, detail({ state: 'running' }), true),
  // CONTENT#eb-filtering-anything-but: string
  row('anything-but "initializing" rejects initializing', { detail: { state: [{ 'anything-but': 'initializing' }] } }, detail({ state: 'initializing' }), false),
  // CONTENT#eb-filtering-anything-but: number
  row('anything-but 123 accepts 124', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, detail({ 'x-limit': 124 }), true),
  // CONTENT#eb-filtering-anything-but: number
  row('anything-but 123 rejects 123', { detail: { 'x-limit': [{ 'anything-but': 123 }] } }, detail({ 'x-limit': 123 }), false),
  // CONTENT#eb-filtering-anything-but: list of strings
  row('anything-but [stopped, overloaded] accepts running', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, detail({ state: 'running' }), true),
  // CONTENT#eb-filtering-anything-but: list of strings
  row('anything-but [stopped, overloaded] rejects overloaded', { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, detail({ state: 'overloaded' }), false),
  // CONTENT#eb-filtering-anything-but: list of numbers
  row('anything-but [100, 200, 300] accepts 301.8', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, detail({ 'x-limit': 301.8 }), true),
  // CONTENT#eb-filtering-anything-but: list of numbers
  row('anything-but [100, 200, 300] rejects 200', { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, detail({ 'x-limit': 200 }), false),
  // CONTENT#eb-filtering-anything-but: not the prefix "init"
  row('anything-but prefix init accepts running', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, detail({ state: 'running' }), true),
  // CONTENT#eb-filtering-anything-but: not the prefix "init"
  row('anything-but prefix init rejects initializing', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, detail({ state: 'initializing' }), false),
  // OPERATORS "Anything-but (begins with)": Region is not in the US
  row('anything-but prefix us- accepts eu-west-1', { Region: [{ 'anything-but': { prefix: 'us-' } }] }, { Region: 'eu-west-1' }, true),
  // OPERATORS "Anything-but (ends with)": FileName does not end with .png
  row('anything-but suffix .png accepts a .jpg', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.jpg' }, true),
  // OPERATORS "Anything-but (ends with)"
  row('anything-but suffix .png rejects a .png', { FileName: [{ 'anything-but': { suffix: '.png' } }] }, { FileName: 'a.png' }, false),
  // OPERATORS "Anything-but (ignore case)": not initializing in any casing
  row('anything-but ignoring case rejects INITIALIZING', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'INITIALIZING' }, false),
  // OPERATORS "Anything-but (ignore case)"
  row('anything-but ignoring case accepts running', { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, { state: 'running' }, true),
  // OPERATORS "Anything-but (ignore case)", list form
  row('anything-but ignoring case, list, rejects Stopped', { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing', 'stopped'] } }] }, { state: 'Stopped' }, false),
  // OPERATORS "Anything-but using a wildcard": not a path that includes /lib/
  row('anything-but wildcard */lib/* rejects /usr/lib/libc.so', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/lib/libc.so' }, false),
  // OPERATORS "Anything-but using a wildcard"
  row('anything-but wildcard */lib/* accepts /usr/bin/env', { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, { FilePath: '/usr/bin/env' }, true),
  // OPERATORS "Anything-but using a wildcard", list form
  row('anything-but wildcard list rejects /opt/bin/x', { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, { FilePath: '/opt/bin/x' }, false),
  // CONTENT#filtering-numeric-matching: all three numeric fields true
  row(
    'numeric c-count, d-count, x-limit',
    {
      detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] },
    },
    rulerEvent,
    true,
  ),
  // CONTENT#filtering-numeric-matching: the lower bound is exclusive
  row('numeric > 0 rejects 0', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, detail({ 'c-count': 0 }), false),
  // CONTENT#filtering-numeric-matching: the upper bound is inclusive
  row('numeric <= 5 accepts 5', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, detail({ 'c-count': 5 }), true),
  // CONTENT#filtering-numeric-matching
  row('numeric <= 5 rejects 5.5', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, detail({ 'c-count': 5.5 }), false),
  // CONTENT#filtering-numeric-matching: "= 3.018e2" is the number 301.8
  row('numeric = 3.018e2 accepts 301.8', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, detail({ 'x-limit': 301.8 }), true),
  // CONTENT#filtering-numeric-matching: numeric matching works with JSON numbers only
  row('numeric = 3.018e2 rejects the string "301.8"', { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, detail({ 'x-limit': '301.8' }), false),
  // OPERATORS "Numeric (range)": Price more than 10 and at most 20
  row('numeric range >= and <', { Price: [{ numeric: ['>=', 10, '<', 20] }] }, { Price: 10 }, true),
  // OPERATORS "Numeric (range)"
  row('numeric range < excludes its bound', { Price: [{ numeric: ['>=', 10, '<', 20] }] }, { Price: 20 }, false),
  // CONTENT#eb-filtering-ip-matching: 10.0.0.0/24 covers 10.0.0.0 to 10.0.0.255
  row('cidr 10.0.0.0/24 accepts 10.0.0.255', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, detail({ sourceIPAddress: '10.0.0.255' }), true),
  // CONTENT#eb-filtering-ip-matching
  row('cidr 10.0.0.0/24 accepts 10.0.0.0', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, detail({ sourceIPAddress: '10.0.0.0' }), true),
  // CONTENT#eb-filtering-ip-matching
  row('cidr 10.0.0.0/24 rejects 10.0.1.0', { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } }, detail({ sourceIPAddress: '10.0.1.0' }), false),
  // CONTENT#eb-filtering-ip-matching: IPv6 too
  row('cidr 2001:db8::/32 accepts a compressed IPv6 address', { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, detail({ sourceIPAddress: '2001:db8:85a3::8a2e:370:7334' }), true),
  // CONTENT#eb-filtering-ip-matching: IPv6 too
  row('cidr 2001:db8::/32 rejects 2001:db9::1', { detail: { sourceIPAddress: [{ cidr: '2001:db8::/32' }] } }, detail({ sourceIPAddress: '2001:db9::1' }), false),
  // CONTENT#eb-filtering-ip-matching: an address of the other family is outside the range
  row('cidr IPv4 range rejects an IPv6 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '::1' }, false),
  // CONTENT#eb-filtering-exists-matching: has detail.state
  row(
    'exists true: detail.state present',
    { detail: { state: [{ exists: true }] } },
    {
      version: '0',
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: '2015-11-11T21:29:54Z',
      region: 'us-east-1',
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111'],
      detail: { 'instance-id': 'i-abcd1111', state: 'pending' },
    },
    true,
  ),
  // CONTENT#eb-filtering-exists-matching: does NOT match, no detail.state
  row(
    'exists true: detail.state absent',
    { detail: { state: [{ exists: true }] } },
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { 'c-count': { c1: 100 } },
    },
    false,
  ),
  // CONTENT#eb-filtering-exists-matching: no detail.c-count field
  row(
    'exists false: detail.c-count absent',
    { detail: { 'c-count': [{ exists: false }] } },
    {
      'detail-type': ['EC2 Instance State-change Notification'],
      resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'],
      detail: { state: ['initializing', 'running'] },
    },
    true,
  ),
  // CONTENT#eb-filtering-exists-matching (earlier edition): also matches "because c-count isn't a leaf node"
  row(
    'exists false: an object is not a leaf',
    { detail: { 'c-count': [{ exists: false }] } },
    {
      detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } },
    },
    true,
  ),
  // CONTENT#eb-filtering-complex-example (the event-ruler README version adds source-ip)
  row('complex example', complexPattern, rulerEvent, true),
  // CONTENT#eb-filtering-complex-example: one failing field fails the whole pattern
  row('complex example with x-limit 300', complexPattern, { ...rulerEvent, detail: { ...rulerEvent.detail, 'x-limit': 300 } }, false),
  // OPERATORS "Wildcard": any file with a .png extension located within the folder "dir"
  row('wildcard dir/*.png', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/holiday.png' }, true),
  // OPERATORS "Wildcard": * is any sequence, slashes included
  row('wildcard dir/*.png crosses folders', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'dir/2024/holiday.png' }, true),
  // OPERATORS "Wildcard"
  row('wildcard dir/*.png rejects another folder', { FileName: [{ wildcard: 'dir/*.png' }] }, { FileName: 'other/holiday.png' }, false),
  // WILDCARD_BLOG: * matches zero, one or many characters
  row('wildcard * matches zero characters', { FileName: [{ wildcard: '*.png' }] }, { FileName: '.png' }, true),
  // WILDCARD_BLOG: "*Title*" matches values that include Title
  row('wildcard *Title*', { subject: [{ wildcard: '*Title*' }] }, { subject: 'A Title in the middle' }, true),
  // RULER "Wildcard matching"
  row('wildcard Simple*Service', { source: [{ wildcard: 'Simple*Service' }] }, { source: 'Simple Notification Service' }, true),
  // RULER "Wildcard matching": \* is a literal asterisk
  row('wildcard escaped star matches a star', { key: [{ wildcard: 'a\\*b' }] }, { key: 'a*b' }, true),
  // RULER "Wildcard matching": \* is a literal asterisk, not a wildcard
  row('wildcard escaped star is not a wildcard', { key: [{ wildcard: 'a\\*b' }] }, { key: 'axb' }, false),
  // RULER "Wildcard matching": \\ is a literal backslash, then * is a wildcard
  row('wildcard escaped backslash then wildcard', { key: [{ wildcard: 'C:\\\\*' }] }, { key: 'C:\\Windows' }, true),
  // OPERATORS "Or (multiple fields)": Location is New York, or Day is Monday
  row('$or: Day is Monday', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Boston', Day: 'Monday' }, true),
  // OPERATORS "Or (multiple fields)"
  row('$or: neither', { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, { Location: 'Boston', Day: 'Tuesday' }, false),
  // PATTERNS: Or, PaymentType is Credit or Debit
  row('Or within a field: Debit', { PaymentType: ['Credit', 'Debit'] }, { PaymentType: 'Debit' }, true),
  // RULER "$or": source && (metricName || namespace)
  row(
    '$or with a sibling field: sibling fails',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    { source: 'aws.ec2', namespace: 'AWS/EC2' },
    false,
  ),
  // RULER "$or": source && (metricName || namespace)
  row(
    '$or with a sibling field: both hold',
    {
      source: ['aws.cloudwatch'],
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
    },
    { source: 'aws.cloudwatch', namespace: 'AWS/ES' },
    true,
  ),
  // RULER "$or": parallel or, (metricName || namespace) && (detail.source || detail.detail-type)
  row(
    'parallel $or, one level down',
    {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    { metricName: 'ReadLatency', detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
    true,
  ),
  // RULER "$or": parallel or, second group fails
  row(
    'parallel $or, nested group fails',
    {
      $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
      detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
    },
    { metricName: 'ReadLatency', detail: { source: 'aws.ec2' } },
    false,
  ),
  // RULER "$or": nested Or and And, source && (metricName || (metricType && namespace && (metricId || spaceId)) || scope)
  row(
    'nested $or inside an $or alternative',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    },
    { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 },
    true,
  ),
  // RULER "$or": the inner $or must hold too
  row(
    'nested $or, inner alternatives all fail',
    {
      source: ['aws.cloudwatch'],
      $or: [
        { metricName: ['CPUUtilization', 'ReadLatency'] },
        { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
        { scope: ['Service'] },
      ],
    },
    { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 999 },
    false,
  ),
];

const edgeCases: readonly Row[] = [
  // Missing fields and intermediate nodes.
  row('a leaf under a missing object', { detail: { state: ['running'] } }, { source: 'x' }, false),
  row('exists false under a missing object', { detail: { state: [{ exists: false }] } }, { source: 'x' }, true),
  row('exists false under a scalar where an object is expected', { detail: { state: [{ exists: false }] } }, { detail: 'flat' }, true),
  row('exists true under a scalar where an object is expected', { detail: { state: [{ exists: true }] } }, { detail: 'flat' }, false),
  row('a leaf pattern never matches an object value', { detail: ['x'] }, { detail: { x: 'x' } }, false),
  row('exists true on an object value (not a leaf)', { detail: { 'c-count': [{ exists: true }] } }, detail({ 'c-count': { c1: 100 } }), false),
  // null is a value: exists looks at presence, not content.
  row('exists true on a null value', { detail: { responseElements: [{ exists: true }] } }, autoScalingEvent, true),
  row('exists false on a null value', { detail: { responseElements: [{ exists: false }] } }, autoScalingEvent, false),
  row('exists true on an empty string', { detail: { eventVersion: [{ exists: true }] } }, autoScalingEvent, true),
  // An empty array contributes no value.
  row('exists true on an empty array', { resources: [{ exists: true }] }, autoScalingEvent, false),
  row('exists false on an empty array', { resources: [{ exists: false }] }, autoScalingEvent, true),
  row('exists true on an array of scalars', { resources: [{ exists: true }] }, ec2Event, true),
  row('exists false on an array of objects (the leaves are deeper)', { detail: { items: [{ exists: false }] } }, detail({ items: [{ a: 1 }] }), true),
  row('exists alongside another value: either may match', { detail: { state: ['running', { exists: false }] } }, detail({ other: 1 }), true),
  // anything-but needs a value to compare.
  row('anything-but on a missing field', { detail: { state: [{ 'anything-but': 'initializing' }] } }, detail({}), false),
  row('anything-but prefix on a missing field', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, detail({ other: 'x' }), false),
  row('anything-but on an object value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, detail({ state: { code: 16 } }), false),
  row('anything-but on a null value', { detail: { state: [{ 'anything-but': 'initializing' }] } }, detail({ state: null }), true),
  row('anything-but a string on a number', { detail: { state: [{ 'anything-but': '5' }] } }, detail({ state: 5 }), true),
  row('anything-but numbers on the numeral string', { detail: { limit: [{ 'anything-but': [100, 200] }] } }, detail({ limit: '100' }), true),
  row('anything-but prefix on a number', { detail: { state: [{ 'anything-but': { prefix: '1' } }] } }, detail({ state: 123 }), true),
  row('anything-but on an array: one other element suffices', { detail: { state: [{ 'anything-but': 'stopped' }] } }, detail({ state: ['stopped', 'running'] }), true),
  row('anything-but on an array: every element excluded', { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, detail({ state: ['stopped', 'running'] }), false),
  // numeric only accepts numbers.
  row('numeric on a numeral string', { detail: { count: [{ numeric: ['>', 0] }] } }, detail({ count: '5' }), false),
  row('numeric on a boolean', { detail: { count: [{ numeric: ['>', 0] }] } }, detail({ count: true }), false),
  row('numeric on null', { detail: { count: [{ numeric: ['<', 1] }] } }, detail({ count: null }), false),
  row('numeric on a missing field', { detail: { count: [{ numeric: ['<', 1] }] } }, detail({}), false),
  row('numeric on an array: one element in range', { detail: { count: [{ numeric: ['>', 10] }] } }, detail({ count: [1, 20] }), true),
  row('numeric negative range', { t: [{ numeric: ['>=', -5.5, '<=', -1] }] }, { t: -3 }, true),
  // String operators ignore non-strings.
  row('suffix on a number', { v: [{ suffix: '5' }] }, { v: 15 }, false),
  row('equals-ignore-case on a boolean', { v: [{ 'equals-ignore-case': 'true' }] }, { v: true }, false),
  row('wildcard on null', { v: [{ wildcard: '*' }] }, { v: null }, false),
  row('wildcard * alone matches the empty string', { v: [{ wildcard: '*' }] }, { v: '' }, true),
  row('wildcard pieces must appear in order', { v: [{ wildcard: '*b*a*' }] }, { v: 'ab' }, false),
  row('wildcard prefix and suffix must not overlap', { v: [{ wildcard: 'ab*ba' }] }, { v: 'aba' }, false),
  row('wildcard without a star is exact', { v: [{ wildcard: 'abc' }] }, { v: 'abcd' }, false),
  // cidr reads the event value as an address.
  row('cidr on a non-address string', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'ten.0.0.1' }, false),
  row('cidr on an address with a leading zero', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '010.0.0.1' }, false),
  row('cidr on a number', { ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 10 }, false),
  row('cidr /32 is one address', { ip: [{ cidr: '192.168.1.7/32' }] }, { ip: '192.168.1.7' }, true),
  row('cidr /0 is every IPv4 address', { ip: [{ cidr: '0.0.0.0/0' }] }, { ip: '255.255.255.255' }, true),
  row('cidr IPv6 with an embedded IPv4 tail', { ip: [{ cidr: '::ffff:0:0/96' }] }, { ip: '::ffff:10.1.2.3' }, true),
  row('cidr IPv6 upper-case hex', { ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:DB8::1' }, true),
  row('cidr IPv6 with a zone is not an address', { ip: [{ cidr: 'fe80::/10' }] }, { ip: 'fe80::1%eth0' }, false),
  // Deep nesting and arrays of objects.
  row('five levels deep', { a: { b: { c: { d: { e: ['deep'] } } } } }, { a: { b: { c: { d: { e: 'deep', f: 1 } } } } }, true),
  row('five levels deep, one level missing', { a: { b: { c: { d: { e: ['deep'] } } } } }, { a: { b: { d: { e: 'deep' } } } }, false),
  row('array of objects at two levels', { a: { b: { c: ['x'] } } }, { a: [{ b: [{ c: 'y' }, { c: 'x' }] }] }, true),
  row('arrays of scalars nested in arrays are crushed', { v: [2] }, { v: [1, [[2]]] }, true),
  row(
    'exists false matches an array element that lacks the field (elements are matched one by one)',
    {
      items: { a: [1], b: [{ exists: false }] },
    },
    { items: [{ a: 1, b: 2 }, { a: 1 }] },
    true,
  ),
  row('exists false: the only element with a=1 has b', { items: { a: [1], b: [{ exists: false }] } }, { items: [{ a: 1, b: 2 }, { a: 2 }] }, false),
  // $or combined with other fields and levels.
  row('$or alternatives see the same level', { detail: { state: ['running'], $or: [{ a: [1] }, { b: [2] }] } }, detail({ state: 'running', b: 2 }), true),
  row('$or holds but its sibling fails', { detail: { state: ['running'], $or: [{ a: [1] }, { b: [2] }] } }, detail({ state: 'stopped', a: 1 }), false),
  row('$or alternative with exists false', { $or: [{ a: [{ exists: false }] }, { a: ['x'] }] }, { b: 1 }, true),
  row('$or with an alternative nested deeper', { $or: [{ detail: { a: ['x'] } }, { source: ['y'] }] }, { detail: { a: 'x' } }, true),
  row(
    '$or inside an array of objects is matched per element',
    { items: { $or: [{ a: [1] }, { b: [2] }], c: [3] } },
    {
      items: [
        { a: 1, c: 4 },
        { b: 2, c: 3 },
      ],
    },
    true,
  ),
  row(
    '$or inside an array of objects: no element satisfies both',
    { items: { $or: [{ a: [1] }, { b: [2] }], c: [3] } },
    {
      items: [
        { a: 1, c: 4 },
        { b: 3, c: 3 },
      ],
    },
    false,
  ),
  // Empty match arrays match nothing, even with a value present.
  row('an empty match array', { source: [] }, { source: 'aws.ec2' }, false),
  // Field names are looked up as own properties only.
  row('"constructor" is not on every event', { constructor: [{ exists: true }] }, { source: 'x' }, false),
  row('"toString" absent', { toString: [{ exists: false }] }, { source: 'x' }, true),
  row('"__proto__" from JSON is an ordinary field', JSON.parse('{"__proto__": ["x"]}') as EventPattern, JSON.parse('{"__proto__": "x"}'), true),
  row('"hasOwnProperty" as an event field', { hasOwnProperty: ['x'] }, { hasOwnProperty: 'x' }, true),
  row('inherited properties are not fields', { source: ['aws.ec2'] }, Object.create({ source: 'aws.ec2' }) as unknown, false),
  row('inherited properties are not fields, one level down', { detail: { state: [{ exists: false }] } }, { detail: Object.create({ state: 'running' }) as unknown }, true),
  // Keys with dots are plain keys (see the report for AWS's documented dot joining).
  row('a dotted key matches a dotted event key', { 'detail.state': ['x'] }, { 'detail.state': 'x' }, true),
  // Non-objects are not events.
  row('null event', { source: [{ exists: false }] }, null, false),
  row('string event', { source: [{ exists: false }] }, '{"source":"x"}', false),
  row('array event', { source: ['x'] }, [{ source: 'x' }], false),
  row('number event', { source: [{ exists: false }] }, 42, false),
];

describe('matchesPattern: AWS documented examples', () => {
  it.each(documented)('$name', ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  // CONTENT "Note": when a key appears twice the last one is used. JSON.parse already keeps the
  // last occurrence, so the matcher sees only { "anything-but": "us-east" }.
  it('uses the last of duplicated keys, as JSON.parse does', () => {
    const pattern = JSON.parse('{"detail":{"location":[{"prefix":"us-"}],"location":[{"anything-but":"us-east"}]}}') as EventPattern;
    expect(matchesPattern(pattern, detail({ location: 'eu-west' }))).toBe(true);
    expect(matchesPattern(pattern, detail({ location: 'us-east' }))).toBe(false);
  });

  // SYNTAX#eb-create-pattern-considerations says 300, 300.0 and 3.0e2 are not equal, because AWS
  // compares the JSON text. After JSON.parse the three are the same number, so this matcher
  // cannot tell them apart; this test pins that documented deviation.
  it('cannot tell 300 from 300.0 or 3.0e2 once parsed (documented deviation)', () => {
    const pattern = JSON.parse('{"x": [300]}') as EventPattern;
    expect(matchesPattern(pattern, JSON.parse('{"x": 300.0}'))).toBe(true);
    expect(matchesPattern(pattern, JSON.parse('{"x": 3.0e2}'))).toBe(true);
    expect(matchesPattern(pattern, JSON.parse('{"x": "300"}'))).toBe(false);
  });
});

describe('matchesPattern: edge cases', () => {
  it.each(edgeCases)('$name', ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });

  it('survives cyclic arrays in a (non-JSON) event', () => {
    const loop: unknown[] = ['a'];
    loop.push(loop);
    expect(matchesPattern({ v: ['a'] }, { v: loop })).toBe(true);
    expect(matchesPattern({ v: { w: [{ exists: false }] } }, { v: loop })).toBe(true);
  });

  it('survives very deeply nested arrays', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(matchesPattern({ v: ['bottom'] }, { v: deep })).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// SageMaker events: our own fixtures in AWS's format
// ---------------------------------------------------------------------------------------------

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../fixtures/eventbridge/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

const endpointEvent = fixture('endpoint-state-change');
const trainingEvent = fixture('training-job-state-change');
const pipelineEvent = fixture('pipeline-execution-status-change');
const endpointDetail = endpointEvent.detail as Record<string, unknown>;
const endpointUpdating = { ...endpointEvent, detail: { ...endpointDetail, EndpointStatus: 'UPDATING' } };

const endpointChanges: EventPattern = { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Endpoint State Change'] };
const endpointSettled: EventPattern = { detail: { EndpointStatus: ['IN_SERVICE', 'DELETING', 'FAILED'] } };
const jobChanges: EventPattern = { source: ['aws.sagemaker'], 'detail-type': [{ suffix: 'Job State Change' }] };

const sagemakerRows: readonly Row[] = [
  row('endpoint pattern: endpoint event', endpointChanges, endpointEvent, true),
  row('endpoint pattern: training job event', endpointChanges, trainingEvent, false),
  row('endpoint pattern: pipeline event', endpointChanges, pipelineEvent, false),
  row('endpoint pattern: another source', { ...endpointChanges, source: ['aws.ec2'] }, endpointEvent, false),
  row('settled statuses: IN_SERVICE', endpointSettled, endpointEvent, true),
  row('settled statuses: UPDATING', endpointSettled, endpointUpdating, false),
  row('settled statuses: a training job has no EndpointStatus', endpointSettled, trainingEvent, false),
  row('settled statuses are case-sensitive', { detail: { EndpointStatus: ['InService'] } }, endpointEvent, false),
  row('both endpoint patterns together', { ...endpointChanges, ...endpointSettled }, endpointEvent, true),
  row('job pattern: training job', jobChanges, trainingEvent, true),
  row('job pattern: endpoint', jobChanges, endpointEvent, false),
  row('failed training job', { ...jobChanges, detail: { TrainingJobStatus: ['Failed'], FailureReason: [{ exists: true }] } }, trainingEvent, true),
  row('endpoint has no FailureReason', { detail: { FailureReason: [{ exists: false }] } }, endpointEvent, true),
  row('Tags is a plain map', { detail: { Tags: { team: ['ml-platform'] } } }, endpointEvent, true),
  row('an empty VpcConfig has no leaves', { detail: { VpcConfig: { Subnets: [{ exists: false }] } } }, trainingEvent, true),
  row('instance count above one', { detail: { ResourceConfig: { InstanceCount: [{ numeric: ['>', 1] }] } } }, trainingEvent, true),
  row('epoch-ms strings are not numbers', { detail: { CreationTime: [{ numeric: ['>', 0] }] } }, trainingEvent, false),
  row('an input channel, both fields in one element', { detail: { InputDataConfig: { ChannelName: ['validation'], CompressionType: ['Gzip'] } } }, trainingEvent, true),
  row('an input channel, fields from two elements', { detail: { InputDataConfig: { ChannelName: ['train'], CompressionType: ['Gzip'] } } }, trainingEvent, false),
  row('a production variant with weight 0', { detail: { ProductionVariants: { VariantName: ['green'], DesiredWeight: [0] } } }, endpointEvent, true),
  row('variant and weight from two variants', { detail: { ProductionVariants: { VariantName: ['green'], DesiredWeight: [1] } } }, endpointEvent, false),
  row('endpoint ARN by resource prefix', { resources: [{ prefix: 'arn:aws:sagemaker:eu-west-1:210987654321:endpoint/' }] }, endpointEvent, true),
  row(
    'pipeline execution finished',
    {
      source: ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      detail: { currentPipelineExecutionStatus: [{ 'anything-but': ['Executing', 'Stopping'] }] },
    },
    pipelineEvent,
    true,
  ),
  row(
    'endpoint or job: $or over detail-type',
    {
      source: ['aws.sagemaker'],
      $or: [{ 'detail-type': ['SageMaker Endpoint State Change'] }, { 'detail-type': [{ wildcard: 'SageMaker * Job State Change' }] }],
    },
    trainingEvent,
    true,
  ),
];

describe('matchesPattern: SageMaker events (fixtures in AWS format)', () => {
  it.each(sagemakerRows)('$name', ({ pattern, event, expected }) => {
    expect(matchesPattern(pattern, event)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------
// validatePattern
// ---------------------------------------------------------------------------------------------

const validPatterns: readonly EventPattern[] = [
  ...documented.map(({ pattern }) => pattern),
  ...sagemakerRows.map(({ pattern }) => pattern),
  ...edgeCases.filter(({ name }) => name !== 'an empty match array').map(({ pattern }) => pattern),
];

describe('validatePattern', () => {
  it('accepts every pattern used above, except the deliberately empty one', () => {
    const rejected = validPatterns.map((pattern) => ({ pattern, problems: validatePattern(pattern) })).filter(({ problems }) => problems.length > 0);
    expect(rejected).toEqual([]);
  });

  const selfReferencing: Record<string, unknown> = { source: ['x'] };
  selfReferencing.detail = selfReferencing;
  let tooDeep: Record<string, unknown> = { leaf: ['x'] };
  for (let i = 0; i < 100; i++) tooDeep = { level: tooDeep };

  // [name, pattern, the one problem expected (substring, path included)]
  const invalid: ReadonlyArray<readonly [string, unknown, string]> = [
    ['null', null, 'the pattern must be a JSON object'],
    ['an array', [{ source: ['x'] }], 'the pattern must be a JSON object'],
    ['a JSON string', '{"source":["x"]}', 'the pattern must be a JSON object'],
    ['an empty pattern', {}, 'pattern: empty objects are not allowed'],
    ['a nested empty object', { detail: {} }, 'detail: empty objects are not allowed'],
    ['a leaf that is a string, not an array', { source: 'aws.ec2' }, 'source: must be an array of match values or a nested object, got the string "aws.ec2"'],
    ['a leaf that is a number', { detail: { count: 5 } }, 'detail.count: must be an array of match values or a nested object'],
    ['a leaf that is null', { source: null }, 'source: must be an array of match values or a nested object, got null'],
    ['an empty array', { source: [] }, 'source: empty arrays are not allowed'],
    ['an array inside a match array', { source: [['aws.ec2']] }, 'source[0]: a match value must be a string, number, true, false, null or an operator object, got an array'],
    ['NaN', { x: [Number.NaN] }, 'x[0]: NaN is not a JSON number'],
    ['Infinity', { x: [Number.POSITIVE_INFINITY] }, 'x[0]: Infinity is not a JSON number'],
    ['an unknown operator', { x: [{ contains: 'a' }] }, 'x[0]: unknown operator "contains"'],
    ['two operators in one object', { x: [{ prefix: 'a', suffix: 'b' }] }, 'x[0]: an operator object must have exactly one key, got "prefix", "suffix"'],
    ['an empty operator object', { x: [{}] }, 'x[0]: an operator object must have exactly one key, got none'],
    ['prefix with a number', { x: [{ prefix: 5 }] }, 'x[0]: prefix must be a string or { "equals-ignore-case": string }, got number 5'],
    ['prefix with an unknown inner operator', { x: [{ prefix: { 'anything-but': 'a' } }] }, 'x[0]: prefix accepts a string or { "equals-ignore-case": string }'],
    ['suffix ignoring case with a number', { x: [{ suffix: { 'equals-ignore-case': 1 } }] }, 'x[0]: suffix.equals-ignore-case must be a string, got number 1'],
    ['equals-ignore-case with a list', { x: [{ 'equals-ignore-case': ['a'] }] }, 'x[0]: equals-ignore-case must be a string, got an array'],
    ['exists with a string', { x: [{ exists: 'true' }] }, 'x[0]: exists must be true or false, got the string "true"'],
    ['numeric not an array', { x: [{ numeric: '>5' }] }, 'x[0]: numeric must be an array'],
    ['numeric with three elements', { x: [{ numeric: ['>', 0, '<'] }] }, 'x[0]: numeric must hold one comparison or a two-sided range (2 or 4 elements), got 3'],
    ['numeric with an unknown operator', { x: [{ numeric: ['==', 5] }] }, 'x[0]: numeric: unknown operator the string "==" (use =, <, <=, >, >=)'],
    ['numeric with a string bound', { x: [{ numeric: ['>', '5'] }] }, 'x[0]: numeric: the value after ">" must be a number, got the string "5"'],
    ['numeric range with bounds reversed', { x: [{ numeric: ['>', 10, '<', 5] }] }, 'x[0]: numeric: the lower bound (10) must be less than the upper bound (5)'],
    ['numeric range with equal bounds', { x: [{ numeric: ['>=', 5, '<=', 5] }] }, 'x[0]: numeric: the lower bound (5) must be less than the upper bound (5)'],
    ['numeric range upper bound first', { x: [{ numeric: ['<', 5, '>', 1] }] }, 'x[0]: numeric: a range must start with ">" or ">="'],
    ['numeric range with = ', { x: [{ numeric: ['>', 1, '=', 2] }] }, 'x[0]: numeric: a range must end with "<" or "<="'],
    ['cidr without a mask', { ip: [{ cidr: '10.0.0.0' }] }, 'ip[0]: malformed CIDR "10.0.0.0": exactly one "/" is required'],
    ['cidr with two slashes', { ip: [{ cidr: '10.0.0.0/8/8' }] }, 'ip[0]: malformed CIDR "10.0.0.0/8/8": exactly one "/" is required'],
    ['cidr with a word mask', { ip: [{ cidr: '10.0.0.0/eight' }] }, 'ip[0]: malformed CIDR "10.0.0.0/eight": the prefix length must be an integer'],
    ['cidr IPv4 mask above 32', { ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0]: malformed CIDR "10.0.0.0/33": the prefix length must be at most 32'],
    ['cidr IPv6 mask above 128', { ip: [{ cidr: '2001:db8::/129' }] }, 'ip[0]: malformed CIDR "2001:db8::/129": the prefix length must be at most 128'],
    ['cidr octet above 255', { ip: [{ cidr: '300.0.0.0/8' }] }, 'ip[0]: malformed CIDR "300.0.0.0/8": "300.0.0.0" is not an IPv4 or IPv6 address'],
    ['cidr with a bad IPv6 group', { ip: [{ cidr: 'gggg::/16' }] }, 'ip[0]: malformed CIDR "gggg::/16": "gggg::" is not an IPv4 or IPv6 address'],
    ['cidr with two :: gaps', { ip: [{ cidr: '1::2::3/64' }] }, 'is not an IPv4 or IPv6 address'],
    ['cidr with host bits set', { ip: [{ cidr: '10.0.0.9/24' }] }, 'ip[0]: cidr "10.0.0.9/24" has host bits set; write the network address'],
    ['cidr with a number', { ip: [{ cidr: 10 }] }, 'ip[0]: cidr must be a string, got number 10'],
    ['wildcard with consecutive stars', { f: [{ wildcard: 'a**b' }] }, 'f[0]: wildcard "a**b": consecutive wildcard characters are not allowed (position 3)'],
    ['wildcard escaping a letter', { f: [{ wildcard: 'a\\b' }] }, 'f[0]: wildcard "a\\\\b": a backslash may only escape "*" or "\\" (position 2)'],
    ['wildcard ending with a backslash', { f: [{ wildcard: 'abc\\' }] }, 'a backslash may only escape "*" or "\\" (position 4)'],
    ['wildcard with a list', { f: [{ wildcard: ['a*'] }] }, 'f[0]: wildcard must be a string, got an array'],
    ['anything-but null', { s: [{ 'anything-but': null }] }, 's[0]: anything-but must be a string, a number, a list of either, or an object, got null'],
    ['anything-but true', { s: [{ 'anything-but': true }] }, 's[0]: anything-but must be a string, a number, a list of either, or an object, got boolean true'],
    ['anything-but empty list', { s: [{ 'anything-but': [] }] }, 's[0]: anything-but needs at least one value'],
    ['anything-but mixed list', { s: [{ 'anything-but': ['a', 1] }] }, 's[0]: anything-but lists must hold only strings or only numbers'],
    ['anything-but list with null', { s: [{ 'anything-but': ['a', null] }] }, 's[0]: anything-but lists must hold only strings or only numbers'],
    ['anything-but empty prefix', { s: [{ 'anything-but': { prefix: '' } }] }, 's[0]: anything-but.prefix must not be empty (it would exclude every string)'],
    ['anything-but numeric prefix', { s: [{ 'anything-but': { prefix: 1 } }] }, 's[0]: anything-but.prefix must be a string or a non-empty list of strings, got number 1'],
    ['anything-but unsupported inner operator', { s: [{ 'anything-but': { numeric: ['>', 1] } }] }, 's[0]: anything-but accepts one of prefix, suffix, equals-ignore-case or wildcard, got "numeric"'],
    ['anything-but invalid inner wildcard', { s: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] }, 's[0]: anything-but.wildcard "x**": consecutive wildcard characters are not allowed'],
    ['$or as an object', { $or: { a: ['x'] } }, '$or: must be an array of at least 2 patterns, got an object'],
    ['$or with one alternative', { $or: [{ a: ['x'] }] }, '$or: must hold at least 2 patterns, got 1'],
    ['$or with a non-object alternative', { $or: [{ a: ['x'] }, ['b']] }, '$or[1]: each $or alternative must be an object, got an array'],
    ['$or with an empty alternative', { $or: [{ a: ['x'] }, {}] }, '$or[1]: empty objects are not allowed'],
    ['an operator name as a field inside $or', { $or: [{ prefix: ['a'] }, { b: ['c'] }] }, '$or[0].prefix: "prefix" is an operator and cannot be used as a field name inside $or'],
    ['an operator name deeper inside $or', { detail: { $or: [{ a: { numeric: [1] } }, { b: ['c'] }] } }, 'detail.$or[0].a.numeric: "numeric" is an operator'],
    ['a problem inside a nested $or alternative', { $or: [{ a: ['x'] }, { b: { c: 'y' } }] }, '$or[1].b.c: must be an array of match values'],
    ['a self-referencing pattern', selfReferencing, 'detail: the pattern refers to itself'],
    ['a pattern nested 100 levels deep', tooDeep, 'the pattern is nested more than 64 levels deep'],
  ];

  it.each(invalid)('rejects %s', (_name, pattern, expected) => {
    const problems = validatePattern(pattern);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('reports every problem, each with its path', () => {
    expect(validatePattern({ source: 'x', detail: { a: [], b: [{ exists: 1 }, 'ok', { numeric: ['>', 'y'] }] } })).toEqual([
      'source: must be an array of match values or a nested object, got the string "x"',
      'detail.a: empty arrays are not allowed (an empty array would match nothing)',
      'detail.b[0]: exists must be true or false, got number 1',
      'detail.b[2]: numeric: the value after ">" must be a number, got the string "y"',
    ]);
  });

  it('allows operator names as ordinary field names outside $or', () => {
    expect(validatePattern({ detail: { prefix: ['a'], numeric: [1] } })).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

// `$or` is excluded: as an event field name it would turn the probes below into disjunctions.
const fieldNames = [...new Set(validPatterns.flatMap((pattern) => JSON.stringify(pattern).match(/"[^"\\]*":/g) ?? []).map((key) => key.slice(1, -2)))].filter((name) => name !== '$or');
const scalar = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.boolean(), fc.constant(null));
// Events built from the patterns' own field names, so the matcher walks deep into them.
const nearEvent = fc.object({ key: fc.constantFrom(...fieldNames), maxDepth: 4, values: [scalar, fc.constantFrom('10.0.0.1', '2001:db8::1', 'dir/a.png', '')] });

describe('properties', () => {
  it('matchesPattern never throws and returns a boolean for arbitrary events', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...validPatterns),
        fc.oneof(fc.jsonValue(), nearEvent, fc.anything({ withNullPrototype: true, withSparseArray: true, withBoxedValues: true, withMap: true, withSet: true, withDate: true, withBigInt: true })),
        (pattern, event) => typeof matchesPattern(pattern, event) === 'boolean',
      ),
      { numRuns: 2000 },
    );
  });

  it('validatePattern never throws and returns strings for arbitrary input', () => {
    const operatorish = fc.object({
      key: fc.constantFrom('prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard', '$or', 'detail'),
      maxDepth: 4,
    });
    fc.assert(
      fc.property(
        fc.oneof(fc.anything({ withNullPrototype: true, withSparseArray: true, withBigInt: true, withMap: true, withDate: true }), fc.jsonValue(), operatorish, fc.array(operatorish)),
        (input) => {
          const problems = validatePattern(input);
          return Array.isArray(problems) && problems.every((problem) => typeof problem === 'string' && problem.length > 0);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('exists: true and exists: false are complementary on every event', () => {
    fc.assert(
      fc.property(fc.constantFrom(...fieldNames), fc.oneof(fc.jsonValue(), nearEvent), (field, value) => {
        const event = { detail: { [field]: value } };
        const present = matchesPattern({ detail: { [field]: [{ exists: true }] } }, event);
        const absent = matchesPattern({ detail: { [field]: [{ exists: false }] } }, event);
        return present !== absent;
      }),
    );
  });

  it('a scalar matches itself and is excluded by anything-but itself', () => {
    fc.assert(
      fc.property(scalar, (value) => {
        expect(matchesPattern({ f: [value] }, { f: value })).toBe(true);
        if (typeof value === 'string' || typeof value === 'number') {
          expect(matchesPattern({ f: [{ 'anything-but': value }] }, { f: value })).toBe(false);
        }
      }),
    );
  });

  it('$or is the disjunction of its alternatives', () => {
    fc.assert(
      fc.property(fc.constantFrom(...validPatterns), fc.constantFrom(...validPatterns), fc.oneof(nearEvent, fc.jsonValue()), (a, b, event) => {
        expect(matchesPattern({ $or: [a, b] }, event)).toBe(matchesPattern(a, event) || matchesPattern(b, event));
      }),
      { numRuns: 1000 },
    );
  });
});
