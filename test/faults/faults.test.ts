/**
 * The fault suite's short run (`npm run faults -- --quick`) inside `npm test`: each scenario
 * against the real broker, bridge and Node-RED, every target asserted except those about
 * timing, which depend on the machine and are only reported (`npm run faults` has them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { FAULTS } from "../../faults/all.js";

for (const fault of FAULTS) {
  test(`fault: ${fault.title}`, { timeout: 180_000 }, async (t) => {
    const result = await fault.run("quick");
    if (result.skipped) {
      t.skip(result.skipped);
      return;
    }
    assert.ok(result.targets.length > 0, "a scenario that ran has targets");
    for (const target of result.targets) {
      if (target.timing) t.diagnostic(`${target.met ? "met" : "missed"} (timing, not asserted): ${target.what}`);
      else assert.ok(target.met, `${target.what}: ${JSON.stringify(result.figures)}`);
    }
  });
}
