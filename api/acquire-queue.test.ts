/**
 * acquireWillQueue: whether an acquisition made now waits behind other
 * requests, as pg-pool's Pool.connect / _pulseQueue serve it (pure).
 */
import { describe, expect, it } from 'vitest';
import { acquireWillQueue } from './db.ts';

describe('acquireWillQueue', () => {
  it.each([
    // [total, idle, waiting, max, queues, why]
    [0, 0, 0, 1, false, 'empty pool: a new connection is opened for it'],
    [1, 1, 0, 1, false, 'an idle connection is free'],
    [1, 0, 0, 1, true, 'full, nothing idle: waits for a release'],
    [1, 1, 1, 1, true, 'the one waiting ahead takes the only idle connection'],
    [2, 1, 1, 3, false, 'the one ahead takes the idle connection, there is room for a new one'],
    [2, 2, 1, 2, false, 'two idle, one ahead'],
    [2, 0, 3, 3, false, 'not full and nothing idle: pg-pool opens a new connection at once, past the queue'],
    [3, 0, 0, 3, true, 'full, nothing idle'],
  ])('total %i idle %i waiting %i max %i -> %s (%s)', (total, idle, waiting, max, queues) => {
    expect(acquireWillQueue({ total, idle, waiting, max })).toBe(queues);
  });
});
