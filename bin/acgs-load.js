#!/usr/bin/env node
// Entry point of the `acgs-load` command: runs the compiled bundle
// (dist/cli.js, built by `npm ci`), rebuilt first when a source is newer
// (bin/build.js says so in one line). Stack traces map back to the TypeScript.
import { freshBundle } from './build.js';

process.setSourceMapsEnabled(true);
await import(await freshBundle('cli.js'));
