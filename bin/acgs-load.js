#!/usr/bin/env node
// Entry point of the `acgs-load` command. The suite is written in TypeScript and
// run through tsx's loader, so there is no separate compile step to forget.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
