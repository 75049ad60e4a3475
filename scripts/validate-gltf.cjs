// Runs the Khronos glTF validator on each file given; prints its counts and every error and
// warning, exits 1 when any file has an error. The validator (npm `gltf-validator`) is found
// through NODE_PATH (scripts/test.sh installs it under ~/.cache/jumeau/npm).
const fs = require('fs');
const validator = require('gltf-validator');

async function main(files) {
  let failed = false;
  for (const file of files) {
    const report = await validator.validateBytes(new Uint8Array(fs.readFileSync(file)));
    const i = report.issues;
    console.log(`${file}: ${i.numErrors} errors, ${i.numWarnings} warnings, ${i.numInfos} infos, ` +
      `${i.numHints} hints (${report.info.totalVertexCount} vertices, ${report.info.drawCallCount} draw calls)`);
    for (const m of i.messages.filter((m) => m.severity <= 1)) {
      console.log(`  ${m.severity === 0 ? 'error' : 'warning'} ${m.code} at ${m.pointer}: ${m.message}`);
    }
    failed ||= i.numErrors > 0;
  }
  process.exit(failed ? 1 : 0);
}

main(process.argv.slice(2)).catch((e) => { console.error(e); process.exit(2); });
