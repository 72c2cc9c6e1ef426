// Shared bits of the node-smpp interop scripts. node-smpp is resolved through NODE_PATH
// (<repo>/.tools/node/node_modules, installed by ./test.sh).
'use strict';

function args() {
  const result = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('--')) continue;
    const key = argv[i].slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) {
      result[key] = true;
    } else {
      result[key] = next;
      i++;
    }
  }
  return result;
}

// One JSON object per line on stdout: the .NET tests read these as events.
function emit(event, fields) {
  process.stdout.write(JSON.stringify(Object.assign({ event }, fields || {})) + '\n');
}

function loadSmpp() {
  try {
    return require('smpp');
  } catch (e) {
    process.stderr.write('node-smpp is missing: run ./test.sh (installs node-smpp)\n');
    process.exit(3);
  }
}

// Concatenation UDH (IEI 0x00, 8-bit reference) -> [ref, total, seq], or null.
function concatInfo(udhList) {
  if (!udhList) return null;
  for (const udh of udhList) {
    if (udh[0] === 0x00 && udh[1] === 3) return [udh[2], udh[3], udh[4]];
  }
  return null;
}

function messageText(shortMessage) {
  if (shortMessage === undefined || shortMessage === null) return '';
  if (typeof shortMessage === 'string') return shortMessage;
  if (Buffer.isBuffer(shortMessage)) return shortMessage.toString('latin1');
  return typeof shortMessage.message === 'string' ? shortMessage.message : Buffer.from(shortMessage.message || []).toString('latin1');
}

module.exports = { args, emit, loadSmpp, concatInfo, messageText };
