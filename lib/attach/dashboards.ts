import type { PutDashboardCommandInput } from '@aws-sdk/client-cloudwatch';
import { composeEndpointProfile } from '../profiles/compose';
import type { MetricUse, WidgetSpec } from '../profiles/types';
import type { ComponentModel, EndpointModel, VariantModel } from '../sagemaker/model';
import { dashboardName, managedTags } from '../names/owned';

/**
 * The CloudWatch dashboards of one endpoint: a header, the endpoint's, variants' and
 * containers' widgets, then each inference component's widgets together, two per row. An
 * endpoint too big for one dashboard (hundreds of inference components) continues on numbered
 * parts, a component never split across two, each part within CloudWatch's limits.
 */
export const DASHBOARD_LIMITS = {
  // Dashboard Body Structure: "an array of between 0 and 500 widget objects".
  widgets: 500,
  // CloudWatch service quotas: up to 500 metrics per widget, 2,500 per dashboard across widgets.
  metricsPerWidget: 500,
  metrics: 2500,
  // PutDashboard documents no size for DashboardBody; 1 MB of JSON keeps each request far
  // below any request-size limit of the API, and 500 widgets of ours are ~200 KB.
  bodyBytes: 1_000_000,
} as const;

const WIDTH = 12;
const HEIGHT = 6;
const HEADER_HEIGHT = 2;
// Room kept in each part for its header text widget and the body's own JSON.
const HEADER_BYTES = 8_000;

type MetricLine = Array<string | { stat: string; label: string }>;

interface MetricWidget {
  title: string;
  lines: MetricLine[];
}

/** Widgets that go on a dashboard together; `component` names the inference component they show. */
interface WidgetGroup {
  component?: string;
  widgets: MetricWidget[];
}

function line(use: MetricUse, dimensions: Array<[string, string]>, label: string): MetricLine {
  return [use.metric.namespace, use.metric.name, ...dimensions.flat(), { stat: use.stat, label }];
}

/** A widget over its metric limit becomes several, numbered in their titles. */
function widget(title: string, lines: MetricLine[]): MetricWidget[] {
  const max = DASHBOARD_LIMITS.metricsPerWidget;
  if (lines.length <= max) return [{ title, lines }];
  const parts: MetricWidget[] = [];
  for (let i = 0; i < lines.length; i += max) parts.push({ title: `${title} (${i / max + 1})`, lines: lines.slice(i, i + max) });
  return parts;
}

function variantWidgets(model: EndpointModel, variant: VariantModel, spec: WidgetSpec): MetricWidget[] {
  const endpoint: [string, string] = ['EndpointName', model.name];
  const variantDim: [string, string] = ['VariantName', variant.name];
  if (spec.scope === 'variant')
    return widget(
      `${spec.title} · ${variant.name}`,
      spec.metrics.map((use) => line(use, [endpoint, variantDim], use.metric.name)),
    );
  if (spec.scope !== 'container') return [];
  const named = variant.containers.filter((container) => container.name);
  if (named.length === 0) return [];
  return widget(
    `${spec.title} · ${variant.name}`,
    named.flatMap((container) => spec.metrics.map((use) => line(use, [endpoint, variantDim, ['ContainerName', container.name!]], `${container.name} ${use.metric.name}`))),
  );
}

function componentWidgets(component: ComponentModel, specs: WidgetSpec[]): MetricWidget[] {
  return specs.flatMap((spec) =>
    widget(
      `${spec.title} · ${component.name}`,
      spec.metrics.map((use) => line(use, [['InferenceComponentName', component.name]], use.metric.name)),
    ),
  );
}

function groupsOf(model: EndpointModel): WidgetGroup[] {
  const shared: MetricWidget[] = [];
  const components: WidgetGroup[] = [];
  const seen = new Set<string>();
  for (const variant of model.variants) {
    const specs = composeEndpointProfile(variant.kinds).widgets.filter((spec) => spec.requires !== 'gpu' || variant.gpu);
    for (const spec of specs) {
      if (spec.scope === 'endpoint') {
        // Endpoint-wide widgets appear once, whichever variant brought them.
        if (seen.has(spec.title)) continue;
        seen.add(spec.title);
        shared.push(
          ...widget(
            spec.title,
            spec.metrics.map((use) => line(use, [['EndpointName', model.name]], use.metric.name)),
          ),
        );
      } else {
        shared.push(...variantWidgets(model, variant, spec));
      }
    }
    const componentSpecs = specs.filter((spec) => spec.scope === 'component');
    if (componentSpecs.length === 0) continue;
    for (const component of [...variant.inferenceComponents].sort((a, b) => a.name.localeCompare(b.name))) {
      components.push({ component: component.name, widgets: componentWidgets(component, componentSpecs) });
    }
  }
  return [{ widgets: shared }, ...components];
}

interface Part {
  groups: WidgetGroup[];
  widgets: number;
  metrics: number;
  bytes: number;
}

// A metric widget's JSON, as placed below (positions and region are a few bytes more or less).
function widgetBytes(w: MetricWidget, region: string): number {
  return (
    JSON.stringify({ type: 'metric', x: 12, y: 99_999, width: WIDTH, height: HEIGHT, properties: { title: w.title, region, view: 'timeSeries', stacked: false, period: 60, metrics: w.lines } })
      .length + 1
  );
}

/** Groups packed in order onto as few parts as the limits allow; the first part always exists. */
function pack(groups: WidgetGroup[], region: string): Part[] {
  const parts: Part[] = [];
  let current: Part = { groups: [], widgets: 1, metrics: 0, bytes: HEADER_BYTES };
  for (const group of groups) {
    const widgets = group.widgets.length;
    const metrics = group.widgets.reduce((n, w) => n + w.lines.length, 0);
    const bytes = group.widgets.reduce((n, w) => n + widgetBytes(w, region), 0);
    const fits = current.widgets + widgets <= DASHBOARD_LIMITS.widgets && current.metrics + metrics <= DASHBOARD_LIMITS.metrics && current.bytes + bytes <= DASHBOARD_LIMITS.bodyBytes;
    if (!fits && current.groups.length > 0) {
      parts.push(current);
      current = { groups: [], widgets: 1, metrics: 0, bytes: HEADER_BYTES };
    }
    current.groups.push(group);
    current.widgets += widgets;
    current.metrics += metrics;
    current.bytes += bytes;
  }
  parts.push(current);
  return parts;
}

function header(model: EndpointModel, part: number, parts: Part[], names: string[]): string {
  const components = parts[part - 1]!.groups.flatMap((g) => (g.component ? [g.component] : []));
  const total = parts.reduce((n, p) => n + p.groups.filter((g) => g.component).length, 0);
  const shown = components.length > 0 && parts.length > 1 ? `\nInference components ${components[0]} to ${components[components.length - 1]} (${components.length} of ${total})` : '';
  if (part > 1) return `## sagewatch · endpoint ${model.name} · part ${part} of ${parts.length}${shown}\nFirst part: ${names[0]}`;
  const variants = model.variants.map((v) => `${v.name} (${v.hosting}${v.instanceType ? `, ${v.instanceType}` : ''}${v.instanceCount !== undefined ? ` × ${v.instanceCount}` : ''})`).join(', ');
  const more = parts.length > 1 ? `\nContinued on: ${names.slice(1).join(', ')}` : '';
  return `## sagewatch · endpoint ${model.name}\nKinds: ${model.kinds.join(', ') || 'unknown'} · variants: ${variants || 'none'}${shown}${more}`;
}

export function dashboardInputs(model: EndpointModel, region: string, prefix: string): PutDashboardCommandInput[] {
  const parts = pack(groupsOf(model), region);
  const names = parts.map((_, i) => dashboardName(prefix, model.name, i + 1));
  return parts.map((part, i) => {
    const widgets = part.groups.flatMap((g) => g.widgets);
    const body = {
      widgets: [
        { type: 'text', x: 0, y: 0, width: 24, height: HEADER_HEIGHT, properties: { markdown: header(model, i + 1, parts, names) } },
        ...widgets.map((w, j) => ({
          type: 'metric',
          x: (j % 2) * WIDTH,
          y: HEADER_HEIGHT + Math.floor(j / 2) * HEIGHT,
          width: WIDTH,
          height: HEIGHT,
          properties: { title: w.title, region, view: 'timeSeries', stacked: false, period: 60, metrics: w.lines },
        })),
      ],
    };
    return { DashboardName: names[i]!, DashboardBody: JSON.stringify(body), Tags: managedTags('endpoint', model.name) };
  });
}
