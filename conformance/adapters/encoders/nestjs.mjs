// NestJS @Sse(): a controller method returning an Observable of one MessageEvent ({data, type,
// id, retry, comment}), served by Nest on Express over 127.0.0.1; the body is what it wrote.
// Usage: node nestjs.mjs [DIR]: NestJS from DIR/node_modules (default: this folder's).
import { createRequire } from "node:module";
import path from "node:path";
import { serve } from "./protocol.mjs";

const require = createRequire(path.resolve(process.argv[2] ?? path.dirname(new URL(import.meta.url).pathname), "package.json"));
require("reflect-metadata");
const { Controller, Module, Sse } = require("@nestjs/common");
const { NestFactory } = require("@nestjs/core");
const { of } = require("rxjs");

let message;
class Events {
  stream() {
    const { event, ...rest } = message;
    return of(event === undefined ? rest : { ...rest, type: event });
  }
}
Sse("/")(Events.prototype, "stream", Object.getOwnPropertyDescriptor(Events.prototype, "stream"));
Controller()(Events);
class App {}
Module({ controllers: [Events] })(App);

const app = await NestFactory.create(App, { logger: false });
await app.listen(0, "127.0.0.1");
const url = `http://127.0.0.1:${app.getHttpServer().address().port}/`;

await serve(async (m) => {
  message = m;
  return Buffer.from(await (await fetch(url)).arrayBuffer());
});
