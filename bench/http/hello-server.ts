/**
 * The ceiling of `bench:http`: a fastify hello-world route, nothing else, in its own
 * process like the real server. Prints `listening <url>` on stderr.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/hello', async () => ({ hello: 'world' }));
const url = await app.listen({ port: 0, host: '127.0.0.1' });
process.stderr.write(`listening ${url}\n`);
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
