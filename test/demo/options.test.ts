import { test } from "node:test";
import assert from "node:assert/strict";
import { parseOptions, UsageError } from "../../demo/options.js";

test("no options: interactive, free ports, the default directory", () => {
  assert.deepEqual(parseOptions([]), { check: false });
});

test("--check, --port, --http-port and --dir, with a space or an equals sign", () => {
  assert.deepEqual(parseOptions(["--check", "--port", "1883", "--http-port=1880", "--dir", "/tmp/x"]), {
    check: true,
    brokerPort: 1883,
    httpPort: 1880,
    dir: "/tmp/x",
  });
});

test("bad values name the option and what it accepts", () => {
  assert.throws(() => parseOptions(["--port", "18a3"]), new UsageError('--port "18a3": accepted: a port number from 1 to 65535'));
  assert.throws(() => parseOptions(["--port", "70000"]), /accepted: a port number from 1 to 65535/);
  assert.throws(() => parseOptions(["--http-port"]), new UsageError("--http-port needs a value"));
  assert.throws(() => parseOptions(["--dir="]), new UsageError("--dir needs a value"));
  assert.throws(() => parseOptions(["--check=yes"]), new UsageError("--check takes no value"));
  assert.throws(() => parseOptions(["check"]), new UsageError('unknown option "check"'));
});
