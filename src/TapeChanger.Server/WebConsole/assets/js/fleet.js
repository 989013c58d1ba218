// The fleet panel: every library of the fleet with its owner, health, queue depth and cleaning. Shown only when the
// service is in a fleet (whoami says so and GET /api/v1/fleet answers); a 404 (not in a fleet) keeps it hidden.

import { api, ApiError } from './api.js';
import { esc } from './text.js';

const $ = id => document.getElementById(id);
const EVERY_MS = 15000;

/** Starts the panel when inFleet; returns a function that stops its refresh. */
export function showFleet(inFleet) {
  const box = $('fleet');
  if (!inFleet) { box.hidden = true; return () => {}; }
  let timer = null;
  let stopped = false;
  async function load() {
    try {
      render(await api('fleet'));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) { box.hidden = true; stopped = true; return; }
      $('fleet-summary').textContent = `Fleet: ${err instanceof ApiError ? err.operatorText : err.message}`;
    }
    if (!stopped) timer = setTimeout(load, EVERY_MS);
  }
  load();
  return () => { stopped = true; clearTimeout(timer); };
}

function render(fleet) {
  const box = $('fleet');
  $('fleet-summary').textContent = `This service: ${fleet.service} · ${fleet.libraries.length} librar${fleet.libraries.length === 1 ? 'y' : 'ies'}`
    + ` · ${fleet.services.length} service${fleet.services.length === 1 ? '' : 's'} seen`;
  $('fleet-list').innerHTML = fleet.libraries.map(l => row(l, fleet.service)).join('');
  box.hidden = false;
}

// "(here)": this service owns the library. servedHere only says the library is configured here too (this service
// may take it over), which in a fleet sharing its libraries is true of every row.
function row(l, self) {
  const owner = l.state === 'Owned' && l.owner ? `${esc(l.owner)}${l.owner === self ? ' (here)' : ''}` : '<span class="warn">no owner</span>';
  return `<tr data-library="${esc(l.library)}"><th scope="row">${esc(l.library)}</th><td>${owner}</td>`
    + `<td class="health">${esc(l.health)}</td><td class="queue">${l.queueDepth}</td><td class="cleaning">${cleaning(l)}</td></tr>`;
}

// drivesNeedingCleaning (drive numbers) and cleaning (a cleaning runs now) are optional members of a fleet row.
function cleaning(l) {
  const parts = [];
  if (l.cleaning === true) parts.push('<span class="busy">cleaning now</span>');
  if (Array.isArray(l.drivesNeedingCleaning) && l.drivesNeedingCleaning.length) {
    const d = l.drivesNeedingCleaning;
    parts.push(`<span class="warn">drive${d.length === 1 ? '' : 's'} ${d.map(Number).join(', ')} need${d.length === 1 ? 's' : ''} cleaning</span>`);
  }
  return parts.length ? parts.join(' · ') : (l.cleaning === false || Array.isArray(l.drivesNeedingCleaning) ? 'none' : '—');
}
