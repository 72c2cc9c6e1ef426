// A node-smpp SMSC for interop tests and benchmarks.
//   node smsc-server.js --port 0 [--system-id ID --password PW] [--receipts] [--mo TEXT]
//                       [--enquire-ms N] [--quiet]
// Prints {"event":"listening","port":N} first, then one JSON line per PDU of interest
// (nothing per PDU with --quiet, for benchmarks).
'use strict';
const { args, emit, loadSmpp, concatInfo, messageText } = require('./common');
const smpp = loadSmpp();
const opts = args();
const quiet = !!opts.quiet;
let nextId = 0x1000;

function receiptText(id, stat) {
  const now = new Date();
  const pad = n => String(n).padStart(2, '0');
  const date = pad(now.getUTCFullYear() % 100) + pad(now.getUTCMonth() + 1) + pad(now.getUTCDate()) + pad(now.getUTCHours()) + pad(now.getUTCMinutes());
  return `id:${id} sub:001 dlvrd:001 submit date:${date} done date:${date} stat:${stat} err:000 text:`;
}

const server = smpp.createServer({ debug: false }, session => {
  let bound = null;
  let enquireTimer = null;

  function onBind(pdu) {
    const ok = !opts['system-id'] || (pdu.system_id === opts['system-id'] && pdu.password === opts.password);
    session.send(pdu.response({ command_status: ok ? 0 : smpp.ESME_RINVPASWD, system_id: 'NodeSMSC' }));
    if (!quiet) emit('bind', { command: pdu.command, system_id: pdu.system_id, ok });
    if (!ok) { session.close(); return; }
    bound = pdu.command;
    if (opts['enquire-ms']) {
      enquireTimer = setInterval(() => {
        session.enquire_link({}, resp => { if (!quiet) emit('enquire_link_resp', { status: resp.command_status }); });
      }, Number(opts['enquire-ms']));
    }
    if (opts.mo && bound !== 'bind_transmitter') {
      setTimeout(() => {
        session.deliver_sm({ source_addr: '79990001122', destination_addr: '1234', short_message: opts.mo }, resp => {
          emit('mo_resp', { status: resp.command_status });
        });
      }, 50);
    }
  }
  session.on('bind_transceiver', onBind);
  session.on('bind_transmitter', onBind);
  session.on('bind_receiver', onBind);

  session.on('enquire_link', pdu => {
    session.send(pdu.response());
    if (!quiet) emit('enquire_link');
  });

  session.on('submit_sm', pdu => {
    const id = (nextId++).toString(16).toUpperCase();
    session.send(pdu.response({ message_id: id }));
    if (quiet) return;
    const sm = pdu.short_message || {};
    emit('submit_sm', {
      id,
      source: pdu.source_addr,
      destination: pdu.destination_addr,
      data_coding: pdu.data_coding,
      esm_class: pdu.esm_class,
      registered_delivery: pdu.registered_delivery,
      message: messageText(sm),
      concat: concatInfo(sm.udh),
    });
    if (opts.receipts && (pdu.registered_delivery & 1) && bound !== null) {
      setTimeout(() => {
        session.deliver_sm({
          source_addr: pdu.destination_addr,
          destination_addr: pdu.source_addr,
          esm_class: 4,
          short_message: receiptText(id, 'DELIVRD'),
          receipted_message_id: id,
          message_state: 2,
        }, resp => emit('receipt_resp', { id, status: resp.command_status }));
      }, 20);
    }
  });

  session.on('unbind', pdu => {
    session.send(pdu.response());
    if (!quiet) emit('unbind');
    session.close();
  });

  session.on('close', () => { if (enquireTimer) clearInterval(enquireTimer); if (!quiet) emit('close'); });
  session.on('error', e => { if (!quiet) emit('error', { message: String(e && e.message) }); });
});

server.listen(Number(opts.port || 0), '127.0.0.1', () => emit('listening', { port: server.address().port }));
process.on('SIGTERM', () => process.exit(0));
