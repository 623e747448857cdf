// Strings, language and formatting. zh-CN by default, English by a switch
// remembered in localStorage. Each module registers its own strings, keys
// prefixed by the module (`queue.tab.new`), with `addStrings`.

import { useState, useEffect } from '../vendor/htm-preact.js';

const LOCALES = ['zh-CN', 'en'];
const STORE_KEY = 'gridops.locale';
const dicts = { 'zh-CN': Object.create(null), en: Object.create(null) };
const listeners = new Set();

function initialLocale() {
  try {
    const saved = localStorage.getItem(STORE_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch {
    /* storage blocked */
  }
  return 'zh-CN';
}

let current = initialLocale();
if (typeof document !== 'undefined') document.documentElement.lang = current;

/** Registers strings: `{ 'zh-CN': {key: text}, en: {key: text} }`. */
export function addStrings(dict) {
  for (const l of LOCALES) if (dict[l]) Object.assign(dicts[l], dict[l]);
}

/** The text of `key` in the current language, `{name}` replaced from `vars`. */
export function t(key, vars) {
  let s = dicts[current][key];
  if (s === undefined) s = dicts.en[key] ?? dicts['zh-CN'][key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] === undefined || vars[k] === null ? m : String(vars[k])));
  return s;
}

/** Whether a key has been registered (in any language). */
export function hasString(key) {
  return key in dicts.en || key in dicts['zh-CN'];
}

export function locale() {
  return current;
}

export function setLocale(l) {
  if (!LOCALES.includes(l) || l === current) return;
  current = l;
  try {
    localStorage.setItem(STORE_KEY, l);
  } catch {
    /* storage blocked */
  }
  document.documentElement.lang = l;
  rebuildFormats();
  changed();
}

/** `fn(locale)` after each switch; returns an unsubscribe. */
export function onLocaleChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

let stamp = 0;

/** Grows on every switch of language and every load of categories (for memo keys). */
export function i18nVersion() {
  return stamp;
}

function changed() {
  stamp++;
  for (const fn of listeners) fn(current);
}

/**
 * Hook: the current locale; the component re-renders on a switch (and when
 * the categories arrive, so their names show).
 */
export function useLocale() {
  const [seen, setSeen] = useState(stamp);
  useEffect(() => {
    if (seen !== stamp) setSeen(stamp);
    return onLocaleChange(() => setSeen(stamp));
  }, []);
  return current;
}

// ---- dates (local time of the browser) ----

let fmtDateTime, fmtDay, fmtClock;
function rebuildFormats() {
  const tag = current === 'en' ? 'en-GB' : 'zh-CN';
  fmtDateTime = new Intl.DateTimeFormat(tag, {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false,
  });
  fmtDay = new Intl.DateTimeFormat(tag, { year: 'numeric', month: '2-digit', day: '2-digit' });
  fmtClock = new Intl.DateTimeFormat(tag, { hour: '2-digit', minute: '2-digit', hour12: false });
}
rebuildFormats();

function parts(fmt, d) {
  const o = {};
  for (const p of fmt.formatToParts(d)) o[p.type] = p.value;
  return o;
}

function toDate(iso) {
  if (!iso) return null;
  const d = iso instanceof Date ? iso : new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** `2026-11-24 14:03` in local time ('' for nothing). */
export function fmtTime(iso) {
  const d = toDate(iso);
  if (!d) return '';
  const p = parts(fmtDateTime, d);
  const hour = p.hour === '24' ? '00' : p.hour;
  return `${p.year}-${p.month}-${p.day} ${hour}:${p.minute}`;
}

/** `2026-11-24` in local time. */
export function fmtDate(iso) {
  const d = toDate(iso);
  if (!d) return '';
  const p = parts(fmtDay, d);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `14:03` in local time. */
export function fmtClockTime(iso) {
  const d = toDate(iso);
  return d ? fmtClock.format(d).replace(/^24/, '00') : '';
}

function span(ms) {
  const m = Math.round(Math.abs(ms) / 60000);
  if (m < 60) return { n: Math.max(m, 1), u: 'min' };
  const h = Math.round(m / 60);
  if (h < 48) return { n: h, u: 'h' };
  return { n: Math.round(h / 24), u: 'd' };
}

/** A deadline relative to now: `3 h left` / `2 d overdue` (`剩 3 小时` / `超时 2 天`). */
export function fmtRelative(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '';
  const ms = d.getTime() - now;
  const { n, u } = span(ms);
  return t(ms >= 0 ? `time.left.${u}` : `time.overdue.${u}`, { n });
}

/** How long ago: `5 min ago` / `5 分钟前`. */
export function fmtAge(iso, now = Date.now()) {
  const d = toDate(iso);
  if (!d) return '';
  const ms = now - d.getTime();
  if (ms < 45000) return t('time.just_now');
  const { n, u } = span(ms);
  return t(`time.ago.${u}`, { n });
}

// ---- domain labels ----

export const STATUSES = ['reported', 'accepted', 'dispatched', 'in_progress', 'resolved', 'closed', 'rejected'];
export const SOURCES = ['patrol', 'resident', 'hotline', 'console', 'open311'];
export const PRIORITIES = ['low', 'normal', 'high', 'urgent'];

export function statusLabel(status) {
  return status ? t(`status.${status}`) : '';
}
export function sourceLabel(source) {
  return source ? t(`source.${source}`) : '';
}
export function priorityLabel(p) {
  return p ? t(`priority.${p}`) : '';
}
export function roleLabel(r) {
  return r ? t(`role.${r}`) : '';
}

// ---- categories (from GET /api/v1/categories, loaded once at start) ----

let categoryList = [];
let categoryByCode = new Map();
let categoriesLoading = null;

/** Loads the categories once (call again with `force` to reload). */
export function loadCategories(force = false) {
  if (categoriesLoading && !force) return categoriesLoading;
  categoriesLoading = import('./api.js')
    .then(({ api }) => api.get('/categories'))
    .then((body) => {
      categoryList = (body && body.items) || [];
      categoryByCode = new Map(categoryList.map((c) => [c.code, c]));
      changed();
      return categoryList;
    })
    .catch((e) => {
      categoriesLoading = null;
      throw e;
    });
  return categoriesLoading;
}

/** The category's name in the current language (its code when unknown). */
export function categoryName(code) {
  const c = categoryByCode.get(code);
  if (!c) return code || '';
  return current === 'en' ? c.label_en || c.label_zh : c.label_zh || c.label_en;
}

/** The categories as the API lists them (parents before children). */
export function categories() {
  return categoryList;
}

/** A name in the current language from an item with `name`/`name_en`. */
export function localName(item) {
  if (!item) return '';
  return current === 'en' ? item.name_en || item.name : item.name || item.name_en;
}

addStrings({
  'zh-CN': {
    'status.reported': '待受理',
    'status.accepted': '已立案',
    'status.dispatched': '已派遣',
    'status.in_progress': '处置中',
    'status.resolved': '已处置',
    'status.closed': '已结案',
    'status.rejected': '不予受理',
    'source.patrol': '巡查',
    'source.resident': '居民',
    'source.hotline': '热线',
    'source.console': '平台',
    'source.open311': 'Open311',
    'priority.low': '低',
    'priority.normal': '普通',
    'priority.high': '高',
    'priority.urgent': '紧急',
    'role.resident': '居民',
    'role.grid_worker': '网格员',
    'role.grid_chief': '网格长',
    'role.dispatcher': '调度员',
    'role.handler': '处置人员',
    'role.admin': '管理员',
    'time.left.min': '剩 {n} 分钟',
    'time.left.h': '剩 {n} 小时',
    'time.left.d': '剩 {n} 天',
    'time.overdue.min': '超时 {n} 分钟',
    'time.overdue.h': '超时 {n} 小时',
    'time.overdue.d': '超时 {n} 天',
    'time.ago.min': '{n} 分钟前',
    'time.ago.h': '{n} 小时前',
    'time.ago.d': '{n} 天前',
    'time.just_now': '刚刚',
    'common.loading': '加载中…',
    'common.retry': '重试',
    'common.close': '关闭',
    'common.cancel': '取消',
    'common.save': '保存',
    'common.ok': '确定',
    'common.more': '加载更多',
    'common.all': '全部',
    'common.none': '无',
    'common.error': '出错了',
    'common.network_error': '无法连接服务器。',
    'common.empty': '没有内容',
    'common.yes': '是',
    'common.no': '否',
  },
  en: {
    'status.reported': 'Reported',
    'status.accepted': 'Registered',
    'status.dispatched': 'Dispatched',
    'status.in_progress': 'In progress',
    'status.resolved': 'Resolved',
    'status.closed': 'Closed',
    'status.rejected': 'Rejected',
    'source.patrol': 'Patrol',
    'source.resident': 'Resident',
    'source.hotline': 'Hotline',
    'source.console': 'Console',
    'source.open311': 'Open311',
    'priority.low': 'Low',
    'priority.normal': 'Normal',
    'priority.high': 'High',
    'priority.urgent': 'Urgent',
    'role.resident': 'Resident',
    'role.grid_worker': 'Grid worker',
    'role.grid_chief': 'Grid chief',
    'role.dispatcher': 'Dispatcher',
    'role.handler': 'Handler',
    'role.admin': 'Administrator',
    'time.left.min': '{n} min left',
    'time.left.h': '{n} h left',
    'time.left.d': '{n} d left',
    'time.overdue.min': '{n} min overdue',
    'time.overdue.h': '{n} h overdue',
    'time.overdue.d': '{n} d overdue',
    'time.ago.min': '{n} min ago',
    'time.ago.h': '{n} h ago',
    'time.ago.d': '{n} d ago',
    'time.just_now': 'just now',
    'common.loading': 'Loading…',
    'common.retry': 'Retry',
    'common.close': 'Close',
    'common.cancel': 'Cancel',
    'common.save': 'Save',
    'common.ok': 'OK',
    'common.more': 'Load more',
    'common.all': 'All',
    'common.none': 'None',
    'common.error': 'Something went wrong',
    'common.network_error': 'The server cannot be reached.',
    'common.empty': 'Nothing here',
    'common.yes': 'Yes',
    'common.no': 'No',
  },
});
