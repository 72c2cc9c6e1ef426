// A node-smpp ESME scenario against an SMSC (our simulator in the interop tests):
// bind_transceiver, enquire_link, a GSM-7 message and a long UCS-2 Russian message (UDH
// concatenation) with receipts requested, answers receipts and MO messages, then unbinds once
// every receipt and --expect-mo MO parts arrived.
//   node esme-client.js --host 127.0.0.1 --port N --system-id ID --password PW [--expect-mo N]
//                       [--expect-enquire-link] [--timeout-ms N]
// Exit code 0 on a complete scenario; one JSON line per step on stdout.
'use strict';
const { args, emit, loadSmpp, concatInfo, messageText } = require('./common');
const smpp = loadSmpp();
const opts = args();

const GSM_TEXT = 'Hello from node-smpp: @ £5 {ok} [x] ~ €';
const RUSSIAN = 'Привет! Это длинное сообщение из node-smpp, проверка UCS-2 и склейки частей. '.repeat(2);
const expectMo = Number(opts['expect-mo'] || 0);
const expectEnquireLink = !!opts['expect-enquire-link'];
let enquireLinks = 0;
const submitted = [];
const receipts = [];
let moParts = 0;
let finished = false;
let unbinding = false;

function ucs2Parts(text) {
  const parts = [];
  for (let i = 0; i < text.length; i += 67) parts.push(text.slice(i, i + 67));
  return parts;
}

const session = smpp.connect({ host: opts.host || '127.0.0.1', port: Number(opts.port) }, () => {
  session.bind_transceiver({ system_id: opts['system-id'] || '', password: opts.password || '' }, resp => {
    emit('bind_resp', { status: resp.command_status, system_id: resp.system_id });
    if (resp.command_status !== 0) return finish(1);
    session.enquire_link({}, r => emit('enquire_link_resp', { status: r.command_status }));
    session.submit_sm({
      source_addr: 'NodeESME', source_addr_ton: 5, destination_addr: '79990001111', dest_addr_ton: 1, dest_addr_npi: 1,
      registered_delivery: 1, data_coding: 0, short_message: GSM_TEXT,
    }, r => { emit('submit_sm_resp', { kind: 'gsm', status: r.command_status, id: r.message_id }); submitted.push(r.message_id); });
    const parts = ucs2Parts(RUSSIAN);
    parts.forEach((part, i) => {
      session.submit_sm({
        source_addr: 'NodeESME', source_addr_ton: 5, destination_addr: '79990001111', dest_addr_ton: 1, dest_addr_npi: 1,
        registered_delivery: 1, data_coding: 8, esm_class: 0x40,
        short_message: { udh: Buffer.from([5, 0, 3, 0x42, parts.length, i + 1]), message: part },
      }, r => { emit('submit_sm_resp', { kind: 'ucs2', part: i + 1, status: r.command_status, id: r.message_id }); submitted.push(r.message_id); });
    });
    emit('expect', { submits: 1 + parts.length, gsm: GSM_TEXT, russian: RUSSIAN });
  });
});

session.on('deliver_sm', pdu => {
  session.send(pdu.response());
  const sm = pdu.short_message || {};
  if (pdu.esm_class & 4) {
    receipts.push(pdu.receipted_message_id);
    emit('receipt', { text: messageText(sm), receipted_message_id: pdu.receipted_message_id, message_state: pdu.message_state });
  } else {
    moParts++;
    emit('mo', { data_coding: pdu.data_coding, source: pdu.source_addr, message: messageText(sm), concat: concatInfo(sm.udh) });
  }
  maybeFinish();
});

session.on('enquire_link', pdu => { session.send(pdu.response()); enquireLinks++; emit('enquire_link'); maybeFinish(); });
session.on('unbind', pdu => { session.send(pdu.response()); emit('unbind'); });
session.on('error', e => { emit('error', { message: String(e && e.message) }); finish(2); });

function maybeFinish() {
  if (finished || unbinding) return;
  if (submitted.length >= 1 + ucs2Parts(RUSSIAN).length && receipts.length >= submitted.length && moParts >= expectMo &&
      (!expectEnquireLink || enquireLinks > 0)) {
    unbinding = true;
    session.unbind({}, r => { emit('unbind_resp', { status: r.command_status }); finish(0); });
  }
}

function finish(code) {
  if (finished) return;
  finished = true;
  emit('done', { code, submitted: submitted.length, receipts: receipts.length, mo: moParts });
  session.close();
  setTimeout(() => process.exit(code), 50);
}

setTimeout(() => { emit('timeout', { submitted: submitted.length, receipts: receipts.length, mo: moParts }); finish(4); }, Number(opts['timeout-ms'] || 15000));
