export * from './metrics';
export * from './thresholds';
export * from './types';
export * from './endpoints';
export * from './jobs';
export * from './streams';
export * from './compose';
