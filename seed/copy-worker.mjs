// Entry of the seeding worker threads: registers tsx (as bin/*.js do; workers
// do not inherit the parent's module hooks on Node 20), then runs the worker.
import { register } from 'tsx/esm/api';

register();
await import('./copy-worker.ts');
