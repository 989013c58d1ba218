// The console's start: log in with a token, then the library picture, the actions the role allows, the requests and
// the plots, kept current by the service's event stream.

import { api, lib, token, ApiError, setUnauthorizedHandler } from './api.js';
import { connectEvents } from './events.js';
import { createLibraryView } from './library.js';
import { createActions } from './actions.js';
import { createRequests } from './requests.js';
import { showFleet } from './fleet.js';
import { enableDrag } from './drag.js';
import { cleansLeftPlot, cleaningsPlot, latencyPlot } from './plot.js';

const $ = id => document.getElementById(id);
const LIB_KEY = 'tapechanger.library';

setUnauthorizedHandler(() => logout('The service refused the token (revoked?); log in again.'));

function showLogin(message) {
  $('app').hidden = true;
  $('who').textContent = '';
  $('logout').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').focus();
  document.body.dataset.ready = 'login';
}

function logout(message) {
  token.clear();
  if (message) sessionStorage.setItem('tapechanger.message', message);
  location.reload();
}

$('login-form').addEventListener('submit', async e => {
  e.preventDefault();
  const tok = $('token').value.trim();
  if (!tok) { $('login-error').textContent = 'Paste a token first.'; return; }
  try {
    const me = await api('whoami', { tok });
    token.set(tok);
    $('token').value = '';
    start(me);
  } catch (err) {
    $('login-error').textContent = err instanceof ApiError ? err.operatorText : err.message;
  }
});
$('logout').addEventListener('click', () => logout());

async function boot() {
  const message = sessionStorage.getItem('tapechanger.message');
  sessionStorage.removeItem('tapechanger.message');
  if (!token.get()) { showLogin(message); return; }
  try {
    start(await api('whoami'));
  } catch (err) {
    token.clear();
    showLogin(err instanceof ApiError ? err.operatorText : err.message);
  }
}

// First paint, measured by the Performance API from the navigation (time 0) to the library drawn: the mark
// tapechanger:library-rendered when the picture is in the DOM, tapechanger:library-painted once the browser has
// produced the frame after it (two animation frames later), and the measure tapechanger:first-paint (0 to painted).
let firstPaintMarked = false;
function markFirstPaint() {
  if (firstPaintMarked) return;
  firstPaintMarked = true;
  performance.mark('tapechanger:library-rendered');
  requestAnimationFrame(() => requestAnimationFrame(() => {
    performance.mark('tapechanger:library-painted');
    const m = performance.measure('tapechanger:first-paint', { start: 0, end: 'tapechanger:library-painted' });
    document.body.dataset.firstPaintMs = Math.round(m.duration);
  }));
}

async function start(me) {
  $('login').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = `${me.name} · ${me.role}`;
  document.body.dataset.role = me.role;
  const { libraries } = await api('libraries');
  const pick = $('library');
  pick.innerHTML = libraries.map(l => `<option value="${l.name}">${l.name} (${l.device})</option>`).join('');
  const remembered = sessionStorage.getItem(LIB_KEY);
  pick.value = libraries.some(l => l.name === remembered) ? remembered : (libraries.find(l => l.isDefault) || libraries[0]).name;
  const library = () => pick.value;

  let status = null;
  let cleaner = null;
  const view = createLibraryView({ onSelect: (sel, shift) => actions?.select(sel, shift) });
  const requests = createRequests({ canAct: me.role !== 'viewer', onChange: () => { latencyPlot($('plot-latency'), requests.all()); schedule(); } });
  const actions = createActions({ role: me.role, library, onQueued: r => requests.upsert(r) });
  if (actions) enableDrag(actions.queueMove);

  let running = null;
  let again = false;
  let timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 50);
  }
  async function refresh() {
    if (running) { again = true; return running; }
    running = (async () => {
      try {
        const name = library();
        const [s, c] = await Promise.all([
          api(`${lib(name)}/status`),
          api(`${lib(name)}/cleaner`).catch(err => { if (err instanceof ApiError && err.status === 503) return null; throw err; }),
        ]);
        status = s; cleaner = c;
        view.render(status, cleaner, requests.open());
        if (status.status) markFirstPaint();
        if (actions && status.status) {
          const els = status.status.elements;
          actions.setElements(els.filter(e => e.type === 'dataTransfer'), els.filter(e => e.type === 'importExport'));
        }
        cleansLeftPlot($('plot-cleans'), cleaner);
        cleaningsPlot($('plot-cleanings'), cleaner);
        $('banner').hidden = status.online;
        $('banner').textContent = status.online ? '' : `Library ${name} is offline: ${status.problem || 'no answer'}`;
        document.body.dataset.ready = 'true';
      } catch (err) {
        $('banner').hidden = false;
        $('banner').textContent = err instanceof ApiError ? err.operatorText : err.message;
      }
    })();
    await running;
    running = null;
    if (again) { again = false; await refresh(); }
  }

  let stop = () => {};
  async function follow() {
    stop();
    sessionStorage.setItem(LIB_KEY, library());
    delete document.body.dataset.live;
    await requests.reload(library());
    await refresh();
    stop = connectEvents({
      library: library(),
      onState: (state, reconnected) => {
        $('conn').textContent = state === 'live' ? 'live' : 'reconnecting…';
        if (state === 'live') document.body.dataset.live = 'true'; else delete document.body.dataset.live;
        if (reconnected) requests.reload(library()).then(refresh);
      },
      onEvent: (kind, ev) => {
        if (kind === 'request' && ev.request) requests.upsert(ev.request);
        else if (kind === 'operator-request' && ev.operatorRequest) requests.upsertOperator(ev.operatorRequest);
        else schedule();
      },
    });
  }
  showFleet(me.fleet);
  pick.addEventListener('change', follow);
  await follow();
}

boot();
