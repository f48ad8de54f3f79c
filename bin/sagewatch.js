#!/usr/bin/env node
// The CLI is written in TypeScript; tsx compiles it on the fly so a fresh clone needs no build step.
import { register } from 'tsx/esm/api';

// The SDK's notice about its future Node versions would clutter every command's stderr; the
// supported Node range is stated in package.json and the README.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
