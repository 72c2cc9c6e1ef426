// node-smpp ESME throughput: one bind, --window outstanding submit_sm, --count messages of
// 160 GSM-7 characters without receipts. Prints the rate as JSON and as a human line.
//   node bench.js --host 127.0.0.1 --port N --count 100000 --window 100 [--system-id ID --password PW]
'use strict';
const { args, emit, loadSmpp } = require('./common');
const smpp = loadSmpp();
const opts = args();
const count = Number(opts.count || 100000);
const window = Number(opts.window || 100);
const text = 'Portal benchmark message: 160 GSM-7 characters to fill exactly one SMS part. '.repeat(3).slice(0, 160);

let sent = 0;
let done = 0;
let failed = 0;
let started = 0;

const session = smpp.connect({ host: opts.host || '127.0.0.1', port: Number(opts.port) }, () => {
  session.bind_transceiver({ system_id: opts['system-id'] || 'bench', password: opts.password || 'bench' }, resp => {
    if (resp.command_status !== 0) { emit('error', { message: 'bind refused ' + resp.command_status }); process.exit(1); }
    started = process.hrtime.bigint();
    pump();
  });
});

function pump() {
  while (sent < count && sent - done < window) {
    sent++;
    session.submit_sm({ source_addr: 'Bench', source_addr_ton: 5, destination_addr: '79990000000', dest_addr_ton: 1, dest_addr_npi: 1, data_coding: 0, short_message: text }, onResp);
  }
}

function onResp(resp) {
  done++;
  if (resp.command_status !== 0) failed++;
  if (done === count) {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = Math.round(count / seconds);
    emit('bench', { count, window, seconds, rate, failed });
    console.log(`node-smpp ESME: ${count} submit_sm in ${seconds.toFixed(2)} s = ${rate} submit_sm/s (window ${window}, failed ${failed})`);
    session.unbind({}, () => { session.close(); process.exit(0); });
    setTimeout(() => process.exit(0), 500);
    return;
  }
  pump();
}

session.on('deliver_sm', pdu => session.send(pdu.response()));
session.on('enquire_link', pdu => session.send(pdu.response()));
session.on('error', e => { emit('error', { message: String(e && e.message) }); process.exit(2); });
