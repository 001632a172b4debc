// thidua dashboard (Telegram Mini App). Plain JavaScript, no build step and
// no dependency: Telegram hands the page its signed initData and theme in
// the URL fragment (#tgWebAppData=…&tgWebAppThemeParams=…), which this
// script reads itself, so nothing is loaded from another site. Every text
// comes from the server (the bot's words, in the user's /lang).
'use strict';

const VERSION = 1;
const root = document.getElementById('app');

/** Telegram's launch parameters, kept for the session (navigation drops the fragment). */
function launch() {
  const hash = new URLSearchParams(location.hash.slice(1));
  let initData = hash.get('tgWebAppData');
  let theme = hash.get('tgWebAppThemeParams');
  const tg = window.Telegram && window.Telegram.WebApp;
  if (!initData && tg && tg.initData) initData = tg.initData;
  if (!theme && tg && tg.themeParams) theme = JSON.stringify(tg.themeParams);
  try {
    if (initData) sessionStorage.setItem('initData', initData);
    else initData = sessionStorage.getItem('initData');
    if (theme) sessionStorage.setItem('theme', theme);
    else theme = sessionStorage.getItem('theme');
  } catch (_) { /* storage refused: this load only */ }
  return { initData: initData || '', theme };
}

const session = launch();

/** Telegram's theme colours into the page's CSS variables. */
function applyTheme(raw) {
  if (!raw) return;
  let p;
  try { p = JSON.parse(raw); } catch (_) { return; }
  const map = {
    bg_color: '--bg', text_color: '--text', hint_color: '--hint', link_color: '--link',
    button_color: '--button', button_text_color: '--button-text', secondary_bg_color: '--card',
  };
  for (const [k, v] of Object.entries(map)) {
    if (typeof p[k] === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(p[k])) {
      document.documentElement.style.setProperty(v, p[k]);
    }
  }
}

/** An element with attributes and children (strings become text, never HTML). */
function el(tag, attrs, ...children) {
  const ns = ['svg', 'rect', 'text', 'line'].includes(tag) ? 'http://www.w3.org/2000/svg' : null;
  const e = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

class ApiError extends Error {}

async function api(path) {
  let r;
  try {
    r = await fetch('/app/api/v1/' + path, {
      headers: { Authorization: 'tma ' + session.initData },
      cache: 'no-store',
    });
  } catch (_) {
    throw new ApiError('Không kết nối được máy chủ. / The server cannot be reached.');
  }
  let body;
  try { body = await r.json(); } catch (_) { body = null; }
  if (!body || body.version !== VERSION) {
    throw new ApiError('Trang đã cũ: hãy mở lại. / This page is out of date: open it again.');
  }
  if (!r.ok || body.error) {
    throw new ApiError(body.error ? body.error.message : String(r.status));
  }
  return body;
}

let words = null;
let me = null;

function show(...nodes) {
  root.replaceChildren(...nodes.flat(3).filter((n) => n !== null && n !== undefined));
  window.scrollTo(0, 0);
}

function showError(message) {
  show(el('div', { class: 'error', role: 'alert', 'data-error': '1' }, message));
}

/** Goes to `?bloc=…&unit=…` without reloading, keeping the session. */
function go(params) {
  const q = new URLSearchParams(params).toString();
  history.pushState(null, '', location.pathname + (q ? '?' + q : ''));
  render();
}

function link(text, params, cls) {
  const q = new URLSearchParams(params).toString();
  return el('a', {
    href: '?' + q,
    class: cls,
    onclick: (ev) => { ev.preventDefault(); go(params); },
  }, text);
}

function stateBadge(review) {
  return el('span', { class: 'state ' + review.state, title: review.reason || null },
    review.label + (review.reason ? ': ' + review.reason : ''));
}

/** Horizontal bars of the scores, drawn as SVG. */
function chart(rows) {
  const barH = 18, gap = 6, left = 64, width = 340;
  const max = Math.max(100, ...rows.map((r) => r.score));
  const h = rows.length * (barH + gap) + gap;
  const svg = el('svg', {
    class: 'chart', viewBox: `0 0 ${width} ${h}`, role: 'img', 'aria-label': words.chart,
  });
  rows.forEach((r, i) => {
    const y = gap + i * (barH + gap);
    const w = Math.max(0, (r.score / max) * (width - left - 44));
    svg.append(
      el('text', { x: 0, y: y + 13 }, r.code),
      el('rect', { class: 'bar', x: left, y, width: w.toFixed(1), height: barH, rx: 3 }),
      el('text', { x: left + w + 4, y: y + 13 }, r.score_text),
    );
  });
  return svg;
}

async function listView() {
  if (me.blocs.length === 1) {
    history.replaceState(null, '', '?bloc=' + me.blocs[0].id);
    return blocView(me.blocs[0].id);
  }
  const items = me.blocs.map((b) => el('li', {}, link(`${b.name} · ${b.year}`, { bloc: b.id })));
  show(
    el('h1', {}, words.title),
    el('h2', {}, words.blocs),
    items.length ? el('ul', { class: 'blocs' }, items) : el('p', { class: 'hint' }, words.no_blocs),
  );
}

function standingsTable(p, blocId) {
  const head = el('tr', {},
    el('th', { class: 'num' }, words.rank), el('th', {}, words.unit),
    el('th', { class: 'num' }, words.score), el('th', { class: 'num' }, words.points));
  const rows = p.rows.map((r) => el('tr', {
    class: 'unit', 'data-unit': r.unit_id, 'data-code': r.code, 'data-score': r.score_text,
    onclick: () => go({ bloc: blocId, unit: r.unit_id }),
  },
  el('td', { class: 'num' }, r.rank),
  el('td', {}, link(r.code, { bloc: blocId, unit: r.unit_id }, 'code'), ' ', r.name, stateBadge(r.review)),
  el('td', { class: 'num' }, r.score_text),
  el('td', { class: 'num' }, r.points > 0 ? '+' + r.points : String(r.points))));
  return el('table', { 'data-period': p.period }, el('thead', {}, head), el('tbody', {}, rows));
}

async function blocView(id) {
  const s = await api('blocs/' + encodeURIComponent(id));
  const open = s.periods.find((p) => p.period === s.open) || s.periods[0];
  const others = s.periods.filter((p) => p !== open);
  show(
    me.blocs.length > 1 ? link(words.back, {}, 'back') : null,
    el('h1', {}, `${s.bloc.name} · ${s.bloc.year}`),
    el('h2', {}, `${words.standings} ${open.label}`),
    open.rows.length ? chart(open.rows) : null,
    standingsTable(open, s.bloc.id),
    others.map((p) => [el('h2', {}, `${words.standings} ${p.label}`), standingsTable(p, s.bloc.id)]),
  );
}

async function unitView(blocId, unitId) {
  const u = await api(`blocs/${encodeURIComponent(blocId)}/units/${encodeURIComponent(unitId)}`);
  const [mid, fin] = u.periods;
  const change = u.change && el('p', {
    class: 'change ' + (u.change.by > 0 ? 'up' : u.change.by < 0 ? 'down' : ''),
  }, `${words.change}: ${mid.score_text} → ${fin.score_text} (${u.change.text})`);
  const summary = el('div', { class: 'summary' }, u.periods.map((p) => el('div', { 'data-period': p.period },
    p.label, el('b', {}, p.score_text),
    p.rank ? `${words.rank} ${p.rank}/${p.of}` : words.unranked, stateBadge(p.review))));
  const targets = u.targets.map((t) => el('div', { class: 'target', 'data-target': t.code },
    el('div', {}, el('b', {}, t.code), ' ', t.name),
    el('div', { class: 'goal' }, `${words.goal}: ${t.goal}`),
    el('dl', {}, t.periods.map((p, i) => [
      el('dt', {}, u.periods[i].label),
      el('dd', {},
        p.value === null ? words.not_reported : `${p.value} · ${words.achievement} ${Math.round(p.achievement)}%`,
        p.exempt ? ` · ${words.exempt}` : '',
        p.late ? el('span', { class: 'late' }, ` · ${words.late}`) : '',
        p.evidence ? ` · ${words.evidence} ${p.evidence}` : ''),
    ]))));
  show(
    link(words.back, { bloc: blocId }, 'back'),
    el('h1', {}, `${u.code} — ${u.name}`),
    el('p', { class: 'hint' }, `${u.bloc.name} · ${u.bloc.year}`),
    summary, change,
    el('h2', {}, words.targets), targets,
  );
}

async function render() {
  const q = new URLSearchParams(location.search);
  try {
    if (!words) {
      me = await api('me');
      words = me.words;
      document.documentElement.lang = me.lang;
      document.title = words.title;
    }
    show(el('p', { class: 'hint' }, words.loading));
    if (q.get('bloc') && q.get('unit')) await unitView(q.get('bloc'), q.get('unit'));
    else if (q.get('bloc')) await blocView(q.get('bloc'));
    else await listView();
  } catch (e) {
    showError(e instanceof ApiError ? e.message : 'Lỗi / Error: ' + e);
  }
}

applyTheme(session.theme);
window.addEventListener('popstate', render);
if (window.Telegram && window.Telegram.WebApp) window.Telegram.WebApp.ready();
render();
