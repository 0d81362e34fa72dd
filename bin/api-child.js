#!/usr/bin/env node
// The reference API in a process of its own (spawned by services/api-process.ts):
// the compiled bundle of api/child.ts, rebuilt first when a source is newer.
import { freshBundle } from './build.js';

process.setSourceMapsEnabled(true);
await import(await freshBundle('api-child.js'));
