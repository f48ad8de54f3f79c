import type { JobKind } from './kinds';
import { LABELING_METRICS as L, PIPELINE_METRICS, PROCESSING_INSTANCE_METRICS, TRAINING_INSTANCE_METRICS, TRANSFORM_INSTANCE_METRICS, type MetricDef } from './metrics';
import { above, alarm, below, sustained } from './alarm';
import type { AlarmSpec, KindProfile } from './types';

/**
 * Jobs: instance alarms while they run (idle GPU, memory, disk, on the `Host` dimension) and,
 * at the end, their outcome and duration as sagewatch metrics plus an alert when they failed.
 */
export interface JobProfile extends KindProfile {
  /**
   * How the `Host` dimension is spelled: `algo` is `<job-name>/algo-<n>` (known in advance
   * from the instance count); `instance-id` is `<job-name>/<instance-id>`, unknown until the
   * instances exist, so its host alarms are shared Metrics Insights alarms over every host of
   * the kind in the account; `none` has no instance metrics.
   */
  hosts: 'algo' | 'instance-id' | 'none';
  /** Outcome and duration metrics, and the failure alert, when the job ends. */
  outcome: true;
}

type InstanceMetrics = { GPUUtilization: MetricDef; MemoryUtilization: MetricDef; DiskUtilization?: MetricDef };

function hostAlarms(metrics: InstanceMetrics): AlarmSpec[] {
  const alarms: AlarmSpec[] = [
    alarm({
      id: 'gpu-idle',
      // MIN over the hosts: one idle host in a distributed job is already paid for nothing.
      description: 'A host of the running job has kept its GPUs idle for 30 minutes.',
      scope: 'job-hosts',
      metric: metrics.GPUUtilization,
      stat: 'Average',
      ...sustained(300, 6),
      // A host that stopped reporting has ended, not idled.
      treatMissingData: 'missing',
      condition: below('idleGpuPercent'),
      requires: 'gpu',
      hostAggregate: 'MIN',
    }),
    alarm({
      id: 'memory',
      description: 'Memory utilisation of a host of the running job above the threshold.',
      scope: 'job-hosts',
      metric: metrics.MemoryUtilization,
      stat: 'Maximum',
      ...sustained(300, 2),
      condition: above('memoryPercent'),
      hostAggregate: 'MAX',
    }),
  ];
  if (metrics.DiskUtilization) {
    alarms.push(
      alarm({
        id: 'disk',
        description: 'Disk utilisation of a host of the running job above the threshold.',
        scope: 'job-hosts',
        metric: metrics.DiskUtilization,
        stat: 'Maximum',
        ...sustained(300, 2),
        condition: above('diskPercent'),
        hostAggregate: 'MAX',
      }),
    );
  }
  return alarms;
}

export const JOB_PROFILES: Record<JobKind, JobProfile> = {
  'training-job': {
    kind: 'training-job',
    description: 'Training job',
    metrics: Object.values(TRAINING_INSTANCE_METRICS),
    alarms: hostAlarms(TRAINING_INSTANCE_METRICS),
    widgets: [],
    hosts: 'algo',
    outcome: true,
  },
  'processing-job': {
    kind: 'processing-job',
    description: 'Processing job',
    metrics: Object.values(PROCESSING_INSTANCE_METRICS),
    alarms: hostAlarms(PROCESSING_INSTANCE_METRICS),
    widgets: [],
    hosts: 'algo',
    outcome: true,
  },
  'transform-job': {
    kind: 'transform-job',
    description: 'Batch transform job',
    metrics: Object.values(TRANSFORM_INSTANCE_METRICS),
    // Transform hosts are `<job-name>/<instance-id>`: no alarm can name them before they exist,
    // so these are the stack's shared Metrics Insights alarms over every transform host
    // (lib/attach/desired.ts, hosts: 'instance-id'). No DiskUtilization: not published for them.
    alarms: hostAlarms(TRANSFORM_INSTANCE_METRICS),
    widgets: [],
    hosts: 'instance-id',
    outcome: true,
  },
  'hyper-parameter-tuning-job': {
    kind: 'hyper-parameter-tuning-job',
    // Its training jobs have their own events and alarms; the tuning job itself publishes nothing.
    description: 'Hyperparameter tuning job',
    metrics: [],
    alarms: [],
    widgets: [],
    hosts: 'none',
    outcome: true,
  },
  'pipeline-execution': {
    kind: 'pipeline-execution',
    description: 'Model building pipeline execution',
    metrics: Object.values(PIPELINE_METRICS),
    alarms: [],
    widgets: [],
    hosts: 'none',
    outcome: true,
  },
  'labeling-job': {
    kind: 'labeling-job',
    description: 'Ground Truth labeling job',
    metrics: Object.values(L),
    alarms: [
      alarm({
        id: 'failed-objects',
        description: 'Dataset objects failed labeling.',
        scope: 'job',
        metric: L.DatasetObjectsLabelingFailed,
        stat: 'Maximum',
        ...sustained(300, 1),
        condition: above('labelingFailedObjects'),
      }),
    ],
    widgets: [],
    hosts: 'none',
    outcome: true,
  },
};
