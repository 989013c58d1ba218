// Operator language: what a request's result code and message mean, HTML escaping, small formatters.

const RESULTS = {
  ERROR_SUCCESS: 'done',
  ERROR_SLOT_EMPTY: 'there is no cartridge where it should come from',
  ERROR_SLOT_FULL: 'the destination already holds a cartridge',
  ERROR_IEPORT_FULL: 'the mail slots are full: empty them first',
  ERROR_LIBRARY_FULL: 'no free storage slot',
  ERROR_DEVICE_NOT_AVAILABLE: 'the library could not do it',
  ERROR_LIBRARY_OFFLINE: 'the library is offline',
  ERROR_NOT_CONNECTED: 'the library is not connected',
  ERROR_TIMEOUT: 'timed out',
  ERROR_CANCELLED: 'cancelled',
  ERROR_ACCESS_DENIED: 'not allowed',
  ERROR_INVALID_SLOT: 'no such slot',
  ERROR_INVALID_DRIVE: 'no such drive',
  ERROR_INVALID_PARAMETER: 'a value is not valid',
  ERROR_INVALID_OPERATION: 'not possible in the current state',
  ERROR_INVALID_LIBRARY: 'no such library',
  ERROR_SLOT_NOT_PRESENT: 'the slot (or its magazine) is not there',
  ERROR_UNABLE_TO_LOAD_MEDIUM: 'the drive could not take the cartridge',
  ERROR_UNABLE_TO_CLEAN: 'the drive could not be cleaned',
  ERROR_CLEANER_SLOT_NOT_SET: 'no cleaner slot is reserved',
  ERROR_CLEANER_SLOT_SET: 'a cleaner slot is already reserved',
  ERROR_CLEANER_CARTRIDGE_INSTALLED: 'a cleaner is already in the reserved slot',
  ERROR_CLEANER_CARTRIDGE_SPENT: 'the cleaner is spent: eject it and inject a new one',
  ERROR_INVALID_CLEANER: 'that is not a usable cleaning cartridge',
  ERROR_NO_SLOT_RESERVED: 'no slot is reserved',
  ERROR_NO_SLOT_SET: 'no slot is set',
  ERROR_ALREADY_RESERVED: 'already reserved',
  ERROR_OBJECT_NOT_FOUND: 'not found',
  ERROR_DATABASE_FAILURE: 'the service could not write its database',
  ERROR_DATABASE_FULL: 'the service database is full',
};

/** The operator's words for an RSM result code (the code itself when unknown). */
export function resultText(code) {
  return RESULTS[code] || (code || '').replace(/^ERROR_/, '').replace(/_/g, ' ').toLowerCase();
}

// The engine ends a SCSI failure's message with "[SENSE KEY KK/AA/QQ: meaning]" (key, ASC, ASCQ in hex).
const SENSE = /\[([A-Z][A-Z ]+?) ([0-9A-F]{2})\/([0-9A-F]{2})\/([0-9A-F]{2}): ([^\]]*)\]/;

/** The sense triplet in a message, or null: {key, asc, ascq, name, meaning, triplet}. */
export function senseOf(message) {
  const m = SENSE.exec(message || '');
  if (!m) return null;
  return { name: m[1], key: m[2], asc: m[3], ascq: m[4], meaning: m[5], triplet: `${m[2]}/${m[3]}/${m[4]}` };
}

/** The message without its bracketed sense part (shown apart). */
export function withoutSense(message) {
  return (message || '').replace(SENSE, '').trim();
}

export function esc(s) {
  return String(s ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleTimeString([], { hour12: false });
}

/** What a request does, in words: "load slot 3 → drive 0". */
export function describeRequest(r) {
  const a = r.arguments || {};
  switch (r.kind) {
    case 'Load': return `load slot ${a.slot} → drive ${a.drive ?? 'any'}`;
    case 'Unload': return `unload drive ${a.drive}${a.slot ? ` → slot ${a.slot}` : ''}`;
    case 'Transfer': return `transfer slot ${a.slot} → slot ${a.toSlot}`;
    case 'Import': return `import mail slot${a.element != null ? ` (element ${a.element})` : ''}${a.slot ? ` → slot ${a.slot}` : ''}`;
    case 'Export': return `export slot ${a.slot} → mail slot${a.element != null ? ` (element ${a.element})` : ''}`;
    case 'Inventory': return 'inventory';
    case 'Clean': return `clean drive ${a.drive}`;
    case 'CleanerReserve': return `reserve cleaner slot ${a.slot}`;
    case 'CleanerRelease': return 'release the cleaner slot';
    case 'CleanerInject': return `inject a cleaner (${a.via || 'auto'})`;
    case 'CleanerEject': return `eject the cleaner (${a.via || 'auto'})`;
    case 'IePortLock': return 'lock the mail slots';
    case 'IePortUnlock': return 'unlock the mail slots';
    case 'Command': return `CLI: tapechanger ${a.commandText || ''}`.trim();
    default: return r.kind;
  }
}

export const STATE_WORDS = {
  Queued: 'queued', InProcess: 'in progress', Waiting: 'waiting for the operator',
  Passed: 'done', Failed: 'failed', Cancelled: 'cancelled',
};
