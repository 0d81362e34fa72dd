/**
 * The peer of the target's cached read in `npm run bench:target`: a fastify
 * route answering, from memory, the JSON body the target's cached read
 * answers (read from stdin, so the size is the same byte for byte). The
 * object is parsed once; fastify serialises it on every request, as it does
 * the target's row. Started as a child process of its own, so it and
 * autocannon do not share an event loop; prints `listening on URL`.
 */
import Fastify from 'fastify';

const chunks: Buffer[] = [];
for await (const c of process.stdin) chunks.push(c as Buffer);
const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));

const app = Fastify({ logger: false });
app.get('/api/v1/principles/:id', async () => body);
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
const stop = () => void app.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
