// The dispatcher's queue: tabs with counts, filters in the URL, a dense
// keyed table paged by cursor, live updates from the event stream, and the
// case beside the list (`/console/cases/{id}?<same query>`).

import { html, useState, useEffect, useRef, useMemo, useCallback, useLayoutEffect } from '../vendor/htm-preact.js';
import { api } from '../lib/api.js';
import {
  t, addStrings, useLocale, statusLabel, sourceLabel, priorityLabel, categoryName, categories,
  fmtRelative, fmtAge, fmtTime, STATUSES, SOURCES, i18nVersion,
} from '../lib/i18n.js';
import { navigate, setParams } from '../lib/router.js';
import { onIncidentEvent, onResync } from '../lib/live.js';
import { areasOf, grants, useSession } from '../lib/session.js';
import { Lazy, ErrorNote, memo } from '../lib/ui.js';
import * as ref from '../lib/refdata.js';

addStrings({
  'zh-CN': {
    'queue.tabs': '队列',
    'queue.tab.new': '新上报',
    'queue.tab.on_site_check': '待核实',
    'queue.tab.triage': '待派遣',
    'queue.tab.returned': '被退回',
    'queue.tab.verify': '待核查',
    'queue.tab.overdue': '已超时',
    'queue.tab.escalated': '已升级',
    'queue.tab.all': '全部未结',
    'queue.count': '{n} 件',
    'queue.filters': '筛选',
    'queue.search': '搜索描述或编号',
    'queue.search_ph': '搜索描述或编号（按 / ）',
    'queue.f.status': '状态',
    'queue.f.status_all': '全部状态',
    'queue.f.category': '类别',
    'queue.f.category_all': '全部类别',
    'queue.f.area': '区域',
    'queue.f.area_all': '全部区域',
    'queue.f.grid': '网格',
    'queue.f.grid_all': '全部网格',
    'queue.f.party': '责任单位',
    'queue.f.party_all': '全部单位',
    'queue.f.source': '来源',
    'queue.f.source_all': '全部来源',
    'queue.f.overdue': '仅超时',
    'queue.f.sort': '排序',
    'queue.sort.created_desc': '最新上报',
    'queue.sort.created_asc': '最早上报',
    'queue.sort.updated_desc': '最近更新',
    'queue.clear': '清除筛选',
    'queue.reload': '刷新',
    'queue.col.ref': '编号',
    'queue.col.category': '类别',
    'queue.col.description': '描述',
    'queue.col.grid': '网格',
    'queue.col.status': '状态',
    'queue.col.party': '责任单位',
    'queue.col.deadline': '时限',
    'queue.col.source': '来源',
    'queue.col.age': '上报',
    'queue.list': '案件列表',
    'queue.more': '加载更多',
    'queue.loading_more': '正在加载…',
    'queue.end': '共 {n} 件，已全部显示',
    'queue.shown': '已显示 {n} 件',
    'queue.new_above': '{n} 条新动态 ↑',
    'queue.new_above_label': '有 {n} 件新增或变化的案件在上方，回到顶部',
    'queue.empty': '没有符合条件的案件。',
    'queue.empty.new': '没有待受理的新上报。',
    'queue.empty.on_site_check': '没有等待网格员核实的居民上报。',
    'queue.empty.triage': '没有待派遣的案件。',
    'queue.empty.returned': '没有被退回的案件。',
    'queue.empty.verify': '没有待核查的案件。',
    'queue.empty.overdue': '没有超时案件。',
    'queue.empty.escalated': '没有升级的案件。',
    'queue.empty.filtered': '换个筛选条件试试。',
    'queue.due.ack': '签收时限 {time}',
    'queue.due.resolve': '处置时限 {time}',
    'queue.returned': '退回',
    'queue.prio.high': '高',
    'queue.prio.urgent': '急',
    'queue.returned_label': '曾被退回 {n} 次',
    'queue.case_pane': '案件详情',
    'queue.keys': '快捷键：↑↓ / j k 选择，Enter 打开，Esc 关闭，/ 搜索',
    'queue.open_case': '打开案件 {ref}',
  },
  en: {
    'queue.tabs': 'Queue',
    'queue.tab.new': 'New',
    'queue.tab.on_site_check': 'On-site check',
    'queue.tab.triage': 'To dispatch',
    'queue.tab.returned': 'Returned',
    'queue.tab.verify': 'To verify',
    'queue.tab.overdue': 'Overdue',
    'queue.tab.escalated': 'Escalated',
    'queue.tab.all': 'All open',
    'queue.count': '{n} cases',
    'queue.filters': 'Filters',
    'queue.search': 'Search descriptions or references',
    'queue.search_ph': 'Search descriptions or references (press /)',
    'queue.f.status': 'Status',
    'queue.f.status_all': 'Any status',
    'queue.f.category': 'Category',
    'queue.f.category_all': 'Any category',
    'queue.f.area': 'Area',
    'queue.f.area_all': 'Any area',
    'queue.f.grid': 'Grid',
    'queue.f.grid_all': 'Any grid',
    'queue.f.party': 'Party',
    'queue.f.party_all': 'Any party',
    'queue.f.source': 'Source',
    'queue.f.source_all': 'Any source',
    'queue.f.overdue': 'Overdue only',
    'queue.f.sort': 'Sort',
    'queue.sort.created_desc': 'Newest first',
    'queue.sort.created_asc': 'Oldest first',
    'queue.sort.updated_desc': 'Recently updated',
    'queue.clear': 'Clear filters',
    'queue.reload': 'Refresh',
    'queue.col.ref': 'Reference',
    'queue.col.category': 'Category',
    'queue.col.description': 'Description',
    'queue.col.grid': 'Grid',
    'queue.col.status': 'Status',
    'queue.col.party': 'Party',
    'queue.col.deadline': 'Deadline',
    'queue.col.source': 'Source',
    'queue.col.age': 'Reported',
    'queue.list': 'Cases',
    'queue.more': 'Load more',
    'queue.loading_more': 'Loading…',
    'queue.end': 'All {n} cases shown',
    'queue.shown': '{n} cases shown',
    'queue.new_above': '{n} new ↑',
    'queue.new_above_label': '{n} new or changed cases above; back to the top',
    'queue.empty': 'No cases match.',
    'queue.empty.new': 'No new reports waiting for triage.',
    'queue.empty.on_site_check': 'No residents’ reports waiting for an on-site check.',
    'queue.empty.triage': 'Nothing waiting to be dispatched.',
    'queue.empty.returned': 'No returned cases.',
    'queue.empty.verify': 'Nothing waiting for verification.',
    'queue.empty.overdue': 'Nothing overdue.',
    'queue.empty.escalated': 'No escalated cases.',
    'queue.empty.filtered': 'Try other filters.',
    'queue.due.ack': 'Acknowledge by {time}',
    'queue.due.resolve': 'Resolve by {time}',
    'queue.returned': 'Returned',
    'queue.prio.high': 'High',
    'queue.prio.urgent': 'Urgent',
    'queue.returned_label': 'Returned {n} times',
    'queue.case_pane': 'Case',
    'queue.keys': 'Keys: ↑↓ / j k select, Enter opens, Esc closes, / searches',
    'queue.open_case': 'Open case {ref}',
  },
});

const TABS = ['new', 'on_site_check', 'triage', 'returned', 'verify', 'overdue', 'escalated', 'all'];
const SORTS = ['created_desc', 'created_asc', 'updated_desc'];
const FILTER_KEYS = ['status', 'category', 'area', 'party', 'source', 'overdue', 'q'];
const OPEN_STATUSES = 'reported,accepted,dispatched,in_progress,resolved';
const NOT_RUNNING = new Set(['resolved', 'closed', 'rejected']);
const PAGE = 100;
const WINDOW_MAX = 500;
const DEBOUNCE_MS = 300;
const MAX_WAIT_MS = 1200;
const FRESH_MS = 4000;

// ---- the filters, from and to the URL ----

function filtersOf(p) {
  const tab = TABS.includes(p.get('tab')) ? p.get('tab') : 'new';
  const sort = SORTS.includes(p.get('sort')) ? p.get('sort') : 'created_desc';
  const f = { tab, sort };
  for (const k of FILTER_KEYS) f[k] = (p.get(k) || '').trim();
  if (f.overdue !== 'true') f.overdue = '';
  return f;
}

function keyOf(f) {
  return [f.tab, f.sort, ...FILTER_KEYS.map((k) => f[k])].join('\u0001');
}

function countParams(f) {
  return {
    status: f.status, category: f.category, area: f.area, party: f.party,
    source: f.source, overdue: f.overdue || undefined, q: f.q,
  };
}

function listParams(f) {
  return {
    ...countParams(f),
    queue: f.tab === 'all' ? undefined : f.tab,
    status: f.status || (f.tab === 'all' ? OPEN_STATUSES : undefined),
    sort: f.sort,
  };
}

// ---- the deadline light of a row ----

/** `{due, level: ok|warn|late, ack}` or null when no clock runs. */
export function deadlineOf(it, now = Date.now()) {
  if (NOT_RUNNING.has(it.status)) return null;
  const ack = it.status === 'dispatched' && !!it.acknowledge_due;
  const due = ack ? it.acknowledge_due : it.resolve_due;
  if (!due) return null;
  const end = Date.parse(due);
  const start = Date.parse(it.created_at);
  const left = end - now;
  let level = 'ok';
  if (left < 0) level = 'late';
  else if (end > start && left < 0.25 * (end - start)) level = 'warn';
  return { due, level, ack };
}

// ---- the list's data: one store per queue screen ----

function sameItem(a, b) {
  return (
    a.version === b.version && a.updated_at === b.updated_at && a.status === b.status &&
    a.party === b.party && a.resolve_due === b.resolve_due && a.acknowledge_due === b.acknowledge_due
  );
}

class QueueStore {
  constructor() {
    this.s = {
      items: [], cursor: null, status: 'loading', error: null, stale: false,
      loadingMore: false, moreError: null, counts: null, fresh: new Set(), added: [],
    };
    this.listeners = new Set();
    this.gen = 0;
    this.chain = Promise.resolve();
    this.pending = new Set();
    this.timer = null;
    this.firstPending = 0;
    this.countsBusy = false;
    this.countsAgain = false;
    this.countsMissing = false;
    this.freshTimer = null;
    this.beforeChange = null; // the screen records its scroll anchor here
    this.f = null;
  }

  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  set(patch) {
    this.s = { ...this.s, ...patch };
    for (const fn of this.listeners) fn(this.s);
  }

  dispose() {
    this.gen++;
    clearTimeout(this.timer);
    clearTimeout(this.freshTimer);
    this.listeners.clear();
  }

  /** New filters: read the first page and the counts again. */
  setFilters(f) {
    this.f = f;
    this.gen++;
    this.pending.clear();
    clearTimeout(this.timer);
    this.timer = null;
    this.chain = Promise.resolve();
    this.set({ status: 'loading', stale: this.s.items.length > 0, error: null, moreError: null, loadingMore: false, added: [] });
    this.loadFirst(this.gen);
    this.loadCounts();
  }

  reload() {
    if (this.f) this.setFilters(this.f);
  }

  enqueue(fn) {
    const gen = this.gen;
    this.chain = this.chain.then(() => (gen === this.gen ? fn(gen) : undefined)).catch(() => {});
    return this.chain;
  }

  async loadFirst(gen) {
    try {
      const page = await api.get('/incidents', { ...listParams(this.f), limit: PAGE });
      if (gen !== this.gen) return;
      this.set({
        items: this.reuse(page.items || []).items,
        cursor: page.next_cursor || null,
        status: 'ready', stale: false, error: null, fresh: new Set(), added: [],
      });
    } catch (error) {
      if (gen !== this.gen) return;
      this.set({ status: 'error', error, stale: false });
    }
  }

  loadMore() {
    const s = this.s;
    if (s.status !== 'ready' || !s.cursor || s.loadingMore) return;
    this.set({ loadingMore: true, moreError: null });
    this.enqueue(async (gen) => {
      try {
        const page = await api.get('/incidents', { ...listParams(this.f), limit: PAGE, cursor: this.s.cursor });
        if (gen !== this.gen) return;
        const have = new Set(this.s.items.map((i) => i.id));
        const more = (page.items || []).filter((i) => !have.has(i.id));
        this.set({ items: this.s.items.concat(more), cursor: page.next_cursor || null, loadingMore: false, added: [] });
      } catch (moreError) {
        if (gen !== this.gen) return;
        this.set({ loadingMore: false, moreError });
      }
    });
  }

  /** Old objects for unchanged incidents (their rows do not re-render). */
  reuse(list, changedIds) {
    const old = new Map(this.s.items.map((i) => [i.id, i]));
    const added = [];
    const changed = [];
    const items = list.map((it) => {
      const o = old.get(it.id);
      if (!o) {
        added.push(it.id);
        return it;
      }
      if (sameItem(o, it)) return o;
      changed.push(it.id);
      return it;
    });
    if (changedIds) for (const id of changedIds) if (old.has(id) && !changed.includes(id)) changed.push(id);
    return { items, added, changed };
  }

  /** An event arrived: coalesce a burst, then re-read. */
  noteEvent(ev) {
    if (ev && ev.incident_id) this.pending.add(ev.incident_id);
    const now = Date.now();
    if (!this.firstPending) this.firstPending = now;
    clearTimeout(this.timer);
    const wait = now - this.firstPending >= MAX_WAIT_MS ? 0 : DEBOUNCE_MS;
    this.timer = setTimeout(() => this.flush(), wait);
  }

  resync() {
    this.noteEvent(null);
  }

  flush() {
    this.timer = null;
    this.firstPending = 0;
    const ids = this.pending;
    this.pending = new Set();
    this.loadCounts();
    if (this.s.status === 'error') {
      this.reload();
      return;
    }
    this.enqueue((gen) => this.refreshWindow(gen, ids));
  }

  /** Re-reads the rows on screen (one request) and merges them in place. */
  async refreshWindow(gen, ids) {
    const old = this.s.items;
    const limit = Math.min(WINDOW_MAX, Math.max(PAGE, old.length + ids.size));
    let page;
    try {
      page = await api.get('/incidents', { ...listParams(this.f), limit });
    } catch {
      return; // keep what is shown; the next event or a reload tries again
    }
    if (gen !== this.gen) return;
    const win = page.items || [];
    let next = win;
    let cursor = page.next_cursor || null;
    if (old.length > limit && page.next_cursor) {
      // Deeper than one window: keep the rows beyond it, refresh the changed ones one by one.
      const inWin = new Set(win.map((i) => i.id));
      const lastOld = win.length ? old.findIndex((i) => i.id === win[win.length - 1].id) : -1;
      const tail = old.slice(lastOld >= 0 ? lastOld + 1 : limit).filter((i) => !inWin.has(i.id));
      const stale = tail.filter((i) => ids.has(i.id)).slice(0, 20);
      const fresh = await Promise.allSettled(stale.map((i) => api.get(`/incidents/${encodeURIComponent(i.id)}`)));
      if (gen !== this.gen) return;
      const byId = new Map();
      fresh.forEach((r) => r.status === 'fulfilled' && r.value && byId.set(r.value.id, r.value));
      next = win.concat(tail.map((i) => byId.get(i.id) || i));
      cursor = this.s.cursor;
    }
    const { items, added, changed } = this.reuse(next);
    if (this.beforeChange) this.beforeChange();
    const freshIds = new Set([...added, ...changed]);
    this.set({ items, cursor, fresh: freshIds, added });
    clearTimeout(this.freshTimer);
    if (freshIds.size) this.freshTimer = setTimeout(() => this.set({ fresh: new Set(), added: [] }), FRESH_MS);
  }

  async loadCounts() {
    if (this.countsMissing) return;
    if (this.countsBusy) {
      this.countsAgain = true;
      return;
    }
    this.countsBusy = true;
    const gen = this.gen;
    try {
      const counts = await api.get('/incidents/queue-counts', countParams(this.f));
      if (gen === this.gen) this.set({ counts });
      else this.countsAgain = true;
    } catch (e) {
      if (e.status === 404 || e.status === 405) this.countsMissing = true; // not on this server yet
      if (gen === this.gen) this.set({ counts: null });
    } finally {
      this.countsBusy = false;
      if (this.countsAgain) {
        this.countsAgain = false;
        this.loadCounts();
      }
    }
  }
}

function useStore(store) {
  const [s, setS] = useState(store.s);
  useEffect(() => {
    setS(store.s);
    return store.subscribe(setS);
  }, [store]);
  return s;
}

function useRefVersion() {
  const [v, setV] = useState(ref.refVersion());
  useEffect(() => ref.onRefData(setV), []);
  return v;
}

// ---- rows ----

function RefText({ reference }) {
  // `410102-20261124-000123`: district, day, sequence.
  const parts = reference.split('-');
  if (parts.length !== 3) return reference;
  return html`<span class="ref-pre">${parts[0]}-</span><span class="ref-day">${parts[1]}-</span><b>${parts[2]}</b>`;
}

const Row = memo(function Row({ it, href, selected, open, tabbable, fresh, tick, lang, refv }) {
  const now = Date.now();
  const dl = deadlineOf(it, now);
  const cls = `q-row${selected ? ' is-selected' : ''}${open ? ' is-open' : ''}${fresh ? ' is-fresh' : ''}${dl && dl.level === 'late' ? ' is-late' : ''}`;
  const returned = (it.returned_by || []).length;
  const urgent = it.priority === 'urgent' || it.priority === 'high';
  return html`<tr id=${`q-row-${it.id}`} class=${cls} data-id=${it.id}>
    <td class="c-ref">
      <a href=${href} tabindex=${tabbable ? '0' : '-1'} aria-current=${open ? 'true' : undefined}
        aria-label=${t('queue.open_case', { ref: it.reference })} class="mono"><${RefText} reference=${it.reference} /></a>
      ${urgent ? html` <abbr class="prio prio-${it.priority}" title=${priorityLabel(it.priority)}>${t(`queue.prio.${it.priority}`)}</abbr>` : null}
    </td>
    <td class="c-cat" title=${it.category}>${categoryName(it.category)}</td>
    <td class="c-desc" title=${it.description}>${it.description}${it.address ? html` <span class="muted">· ${it.address}</span>` : null}</td>
    <td class="c-grid" title=${it.grid}>${ref.areaName(it.grid)}</td>
    <td class="c-status"><span class=${`badge status-${it.status}`}>${statusLabel(it.status)}</span>${returned
      ? html` <span class="badge badge-muted" title=${t('queue.returned_label', { n: returned })}>${t('queue.returned')}</span>` : null}</td>
    <td class="c-party" title=${it.party || ''}>${it.party ? ref.partyName(it.party) : html`<span class="muted">—</span>`}</td>
    <td class="c-due">${dl
      ? html`<span class=${`due due-${dl.level}`} title=${t(dl.ack ? 'queue.due.ack' : 'queue.due.resolve', { time: fmtTime(dl.due) })}>${fmtRelative(dl.due, now)}</span>`
      : html`<span class="muted">—</span>`}</td>
    <td class="c-src">${sourceLabel(it.source)}</td>
    <td class="c-age" title=${fmtTime(it.created_at)}>${fmtAge(it.created_at, now)}</td>
  </tr>`;
});

const Rows = memo(function Rows({ items, qs, selectedId, openId, fresh, tick, lang, refv }) {
  const suffix = qs ? `?${qs}` : '';
  const anySelected = selectedId && items.some((i) => i.id === selectedId);
  return items.map((it, i) => html`<${Row}
    key=${it.id}
    it=${it}
    href=${`/console/cases/${encodeURIComponent(it.id)}${suffix}`}
    selected=${it.id === selectedId}
    open=${it.id === openId}
    tabbable=${anySelected ? it.id === selectedId : i === 0}
    fresh=${fresh.has(it.id)}
    tick=${tick}
    lang=${lang}
    refv=${refv}
  />`);
});

// The case beside the list, memoised: live refreshes of the list do not reach it.
const CasePane = memo(function CasePane({ id, onClose }) {
  return html`<${Lazy} url="/console/screens/case.js" exportName="CaseView" props=${{ id, onClose }} />`;
});

// ---- filters ----

function indent(depth) {
  return '\u00a0\u00a0\u00a0'.repeat(depth);
}

function Filters({ f, searchRef, refv, lang, onReload }) {
  const [q, setQ] = useState(f.q);
  const timer = useRef(null);
  useEffect(() => setQ(f.q), [f.q]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const roots = useMemo(() => [...new Set(areasOf())], [grants()]);
  const admin = grants().some((g) => g.role === 'admin');
  const selectedArea = f.area ? ref.area(f.area) : null;
  const areaIsGrid = selectedArea ? selectedArea.level === 'grid' || selectedArea.level === 'micro_grid' : f.area.length >= 15;
  const community = areaIsGrid
    ? ref.communityOf(f.area)
    : selectedArea && selectedArea.level === 'community'
      ? f.area
      : roots.length === 1 && ref.area(roots[0]) && ref.area(roots[0]).level === 'community'
        ? roots[0]
        : roots.length === 1 && roots[0].length >= 15
          ? ref.communityOf(roots[0])
          : null;
  const [parties, setParties] = useState([]);

  useEffect(() => {
    ref.loadUpperAreas().catch(() => {});
  }, []);
  useEffect(() => {
    if (community) ref.loadGridsOf(community).catch(() => {});
  }, [community]);
  useEffect(() => {
    let alive = true;
    ref.loadAllParties().then((list) => alive && setParties(list), () => alive && setParties([]));
    return () => {
      alive = false;
    };
  }, []);
  const partyOptions = useMemo(() => {
    const scope = f.area ? [f.area] : admin ? [] : roots;
    return ref.partiesWithin(parties, scope).slice().sort((a, b) => ref.partyName(a.code).localeCompare(ref.partyName(b.code), lang.split(':')[0]));
  }, [parties, f.area, roots.join(','), admin, refv, lang]);

  const areaOptions = useMemo(() => ref.subtree(admin ? [] : roots.filter((r) => r.length < 15)), [refv, roots.join(','), admin, lang]);
  const gridOptions = useMemo(() => (community ? ref.childrenOf(community) : []), [community, refv, lang]);
  const cats = categories();
  const catDepth = (c) => c.code.split('.').length - 1;

  const push = (obj) => setParams(obj);
  const onSearch = (e) => {
    const v = e.currentTarget.value;
    setQ(v);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => push({ q: v.trim() }), 350);
  };
  const onSearchKey = (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      clearTimeout(timer.current);
      push({ q: q.trim() });
    } else if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      if (q) {
        setQ('');
        clearTimeout(timer.current);
        push({ q: '' });
      } else e.currentTarget.blur();
    }
  };
  const any = FILTER_KEYS.some((k) => f[k]);
  const areaValue = areaIsGrid ? community || '' : f.area;

  return html`<form class="toolbar q-filters" role="search" aria-label=${t('queue.filters')} onSubmit=${(e) => e.preventDefault()}>
    <input ref=${searchRef} id="q-search" class="q-search" type="search" value=${q}
      aria-label=${t('queue.search')} placeholder=${t('queue.search_ph')} onInput=${onSearch} onKeyDown=${onSearchKey}
      autocomplete="off" />
    <select aria-label=${t('queue.f.status')} value=${f.status} onChange=${(e) => push({ status: e.currentTarget.value })}>
      <option value="">${t('queue.f.status_all')}</option>
      ${STATUSES.map((s) => html`<option key=${s} value=${s}>${statusLabel(s)}</option>`)}
    </select>
    <select class="q-cat" aria-label=${t('queue.f.category')} value=${f.category} onChange=${(e) => push({ category: e.currentTarget.value })}>
      <option value="">${t('queue.f.category_all')}</option>
      ${cats.map((c) => html`<option key=${c.code} value=${c.code}>${indent(catDepth(c))}${categoryName(c.code)}</option>`)}
      ${f.category && !cats.some((c) => c.code === f.category) ? html`<option value=${f.category}>${f.category}</option>` : null}
    </select>
    <select class="q-area" aria-label=${t('queue.f.area')} value=${areaValue} onChange=${(e) => push({ area: e.currentTarget.value })}>
      <option value="">${t('queue.f.area_all')}</option>
      ${areaOptions.map(({ item, depth }) => html`<option key=${item.code} value=${item.code}>${indent(depth)}${ref.areaName(item.code)}</option>`)}
      ${areaValue && !areaOptions.some((o) => o.item.code === areaValue) ? html`<option value=${areaValue}>${ref.areaName(areaValue)}</option>` : null}
    </select>
    <select class="q-grid" aria-label=${t('queue.f.grid')} value=${areaIsGrid ? f.area : ''} disabled=${!community}
      onChange=${(e) => push({ area: e.currentTarget.value || (roots.includes(community) ? '' : community) })}>
      <option value="">${t('queue.f.grid_all')}</option>
      ${gridOptions.map((g) => html`<option key=${g.code} value=${g.code}>${ref.areaName(g.code)}</option>`)}
      ${areaIsGrid && !gridOptions.some((g) => g.code === f.area) ? html`<option value=${f.area}>${ref.areaName(f.area)}</option>` : null}
    </select>
    <select class="q-party" aria-label=${t('queue.f.party')} value=${f.party} onChange=${(e) => push({ party: e.currentTarget.value })}>
      <option value="">${t('queue.f.party_all')}</option>
      ${partyOptions.map((p) => html`<option key=${p.code} value=${p.code}>${ref.partyName(p.code)}</option>`)}
      ${f.party && !partyOptions.some((p) => p.code === f.party) ? html`<option value=${f.party}>${ref.partyName(f.party)}</option>` : null}
    </select>
    <select aria-label=${t('queue.f.source')} value=${f.source} onChange=${(e) => push({ source: e.currentTarget.value })}>
      <option value="">${t('queue.f.source_all')}</option>
      ${SOURCES.map((s) => html`<option key=${s} value=${s}>${sourceLabel(s)}</option>`)}
    </select>
    <label class="q-check"><input type="checkbox" checked=${f.overdue === 'true'}
      onChange=${(e) => push({ overdue: e.currentTarget.checked ? 'true' : '' })} /> ${t('queue.f.overdue')}</label>
    <span class="sep" aria-hidden="true"></span>
    <select aria-label=${t('queue.f.sort')} value=${f.sort} onChange=${(e) => push({ sort: e.currentTarget.value === 'created_desc' ? '' : e.currentTarget.value })}>
      ${SORTS.map((s) => html`<option key=${s} value=${s}>${t(`queue.sort.${s}`)}</option>`)}
    </select>
    ${any ? html`<button type="button" class="btn btn-ghost" onClick=${() => push(Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])))}>${t('queue.clear')}</button>` : null}
    <button type="button" class="btn btn-ghost" onClick=${onReload}>${t('queue.reload')}</button>
  </form>`;
}

// ---- tabs ----

/**
 * The count on a tab: `open` for "All open". That figure ignores the status
 * filter (it counts every open case), so with a status chosen it would not
 * match the list and is left off.
 */
function countOf(counts, k, status) {
  if (!counts) return null;
  if (k === 'all') return !status && typeof counts.open === 'number' ? counts.open : null;
  return typeof counts[k] === 'number' ? counts[k] : null;
}

function Tabs({ tab, counts, status }) {
  const refs = useRef({});
  const go = (k, focus) => {
    setParams({ tab: k === 'new' ? '' : k }, { replace: false });
    if (focus) refs.current[k]?.focus();
  };
  const onKey = (e) => {
    const i = TABS.indexOf(tab);
    let j = null;
    if (e.key === 'ArrowRight') j = (i + 1) % TABS.length;
    else if (e.key === 'ArrowLeft') j = (i - 1 + TABS.length) % TABS.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = TABS.length - 1;
    if (j !== null) {
      e.preventDefault();
      go(TABS[j], true);
    }
  };
  return html`<div class="q-tabs" role="tablist" aria-label=${t('queue.tabs')} onKeyDown=${onKey}>
    ${TABS.map((k) => {
      const n = countOf(counts, k, status);
      const hot = (k === 'overdue' || k === 'escalated') && n > 0;
      return html`<button key=${k} type="button" role="tab" id=${`q-tab-${k}`} aria-selected=${k === tab ? 'true' : 'false'}
        aria-controls="q-panel" tabindex=${k === tab ? '0' : '-1'} ref=${(el) => (refs.current[k] = el)}
        class=${`q-tab${k === tab ? ' is-active' : ''}`} onClick=${() => go(k, false)}>
        <span>${t(`queue.tab.${k}`)}</span>
        ${n !== null ? html`<span class=${`q-count${hot ? ' q-count-hot' : ''}${n === 0 ? ' q-count-zero' : ''}`}
          aria-label=${t('queue.count', { n })}>${n}</span>` : null}
      </button>`;
    })}
  </div>`;
}

// ---- the screen ----

function isEditable(el) {
  return !!(el && el.closest && el.closest('input, textarea, select, [contenteditable=""], [contenteditable="true"]'));
}

export function QueueScreen({ route }) {
  const lang = `${useLocale()}:${i18nVersion()}`;
  const refv = useRefVersion();
  const f = useMemo(() => filtersOf(route.params), [route.search]);
  const key = keyOf(f);
  const store = useMemo(() => new QueueStore(), []);
  const s = useStore(store);
  const openId = route.screen === 'case' ? route.id : null;
  const qs = route.search.replace(/^\?/, '');

  const [selectedId, setSelectedId] = useState(openId);
  const [tick, setTick] = useState(0);
  const [newAbove, setNewAbove] = useState(0);
  const searchRef = useRef(null);
  const scrollRef = useRef(null);
  const caseRef = useRef(null);
  const sentinelRef = useRef(null);
  const anchor = useRef(null);
  const live = useRef({});
  live.current = { items: s.items, selectedId, openId, qs, s };

  useEffect(() => {
    store.setFilters(f);
    setNewAbove(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [key]);

  useEffect(() => {
    const offEv = onIncidentEvent((ev) => store.noteEvent(ev));
    const offSync = onResync(() => store.resync());
    const clock = setInterval(() => setTick((n) => n + 1), 30_000);
    return () => {
      offEv();
      offSync();
      clearInterval(clock);
      store.dispose();
    };
  }, []);

  useEffect(() => {
    if (openId) setSelectedId(openId);
  }, [openId]);

  // Signed in again after the session expired: catch up.
  const status = useSession().status;
  const prevStatus = useRef(status);
  useEffect(() => {
    if (prevStatus.current === 'expired' && status === 'signedin') store.reload();
    prevStatus.current = status;
  }, [status]);

  // Grid names for the rows on screen.
  useEffect(() => {
    if (s.items.length) ref.ensureGrids(s.items.map((i) => i.grid));
  }, [s.items]);

  // Keep the rows the user is looking at in place when rows arrive above them.
  store.beforeChange = () => {
    const el = scrollRef.current;
    anchor.current = null;
    if (!el || el.scrollTop < 4) return;
    const top = el.scrollTop;
    for (const row of el.querySelectorAll('tbody tr')) {
      if (row.offsetTop + row.offsetHeight > top + 28) {
        anchor.current = { id: row.dataset.id, delta: row.offsetTop - top, ids: new Set(live.current.items.map((i) => i.id)) };
        break;
      }
    }
  };
  useLayoutEffect(() => {
    const a = anchor.current;
    anchor.current = null;
    const el = scrollRef.current;
    if (!a || !el) return;
    const row = document.getElementById(`q-row-${a.id}`);
    if (!row) return;
    el.scrollTop = row.offsetTop - a.delta;
    let above = 0;
    for (const it of s.items) {
      if (it.id === a.id) break;
      if (!a.ids.has(it.id) || s.fresh.has(it.id)) above++;
    }
    if (above) setNewAbove((n) => n + above);
  }, [s.items]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (el && el.scrollTop < 4 && newAbove) setNewAbove(0);
  };
  const toTop = () => {
    const el = scrollRef.current;
    if (el) el.scrollTop = 0;
    setNewAbove(0);
  };

  // Infinite scroll, with a button as well.
  useEffect(() => {
    const el = sentinelRef.current;
    if (!el || !('IntersectionObserver' in window)) return undefined;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) store.loadMore();
    }, { root: scrollRef.current, rootMargin: '300px' });
    io.observe(el);
    return () => io.disconnect();
  }, [s.status === 'ready' && !!s.cursor]);

  const openCase = useCallback((id, replace = false) => {
    const q = live.current.qs;
    navigate(`/console/cases/${encodeURIComponent(id)}${q ? `?${q}` : ''}`, { replace });
  }, []);
  const closeCase = useCallback(() => {
    const q = live.current.qs;
    const id = live.current.openId;
    navigate(`/console/queue${q ? `?${q}` : ''}`);
    // Back to the row it came from.
    requestAnimationFrame(() => {
      const link = id && document.querySelector(`#q-row-${CSS.escape(id)} a`);
      if (link) link.focus({ preventScroll: true });
    });
  }, []);

  const openTimer = useRef(null);
  const move = (delta, focusRow) => {
    const { items, selectedId: sel, openId: open } = live.current;
    if (!items.length) return;
    let i = items.findIndex((it) => it.id === sel);
    i = i < 0 ? (delta > 0 ? 0 : items.length - 1) : Math.max(0, Math.min(items.length - 1, i + delta));
    const id = items[i].id;
    live.current.selectedId = id; // a second key press before the next render moves on from here
    setSelectedId(id);
    requestAnimationFrame(() => {
      const row = document.getElementById(`q-row-${id}`);
      if (!row) return;
      row.scrollIntoView({ block: 'nearest' });
      if (focusRow) row.querySelector('a')?.focus({ preventScroll: true });
    });
    if (i >= items.length - 5) store.loadMore();
    // With a case open, the case follows the selection.
    if (open) {
      clearTimeout(openTimer.current);
      openTimer.current = setTimeout(() => openCase(id, true), 200);
    }
  };

  useEffect(() => {
    const onKey = (e) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (document.querySelector('dialog[open]')) return;
      const target = e.target;
      const editable = isEditable(target);
      if (e.key === '/' && !editable) {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
        return;
      }
      if (editable) return;
      const inCase = caseRef.current && caseRef.current.contains(target);
      const inTabs = target.closest && target.closest('[role="tablist"]');
      const inList = scrollRef.current && scrollRef.current.contains(target);
      const onBody = target === document.body || target.id === 'main';
      switch (e.key) {
        case 'j':
        case 'k':
          if (e.shiftKey) return;
          e.preventDefault();
          move(e.key === 'j' ? 1 : -1, inList || onBody);
          break;
        case 'ArrowDown':
        case 'ArrowUp':
          if (inCase || inTabs || !(inList || onBody)) return;
          e.preventDefault();
          move(e.key === 'ArrowDown' ? 1 : -1, true);
          break;
        case 'Enter': {
          if (inCase || !(inList || onBody)) return;
          if (target.closest && target.closest('a, button') && !inList) return;
          const sel = live.current.selectedId;
          if (sel) {
            e.preventDefault();
            openCase(sel);
          }
          break;
        }
        case 'Escape':
          if (live.current.openId) {
            e.preventDefault();
            closeCase();
          }
          break;
        default:
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      clearTimeout(openTimer.current);
    };
  }, []);

  // One click handler for all rows.
  const onListClick = (e) => {
    const row = e.target.closest && e.target.closest('tr[data-id]');
    if (!row) return;
    const link = e.target.closest('a');
    if (link && (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey)) return; // new tab etc.
    if (!link && String(window.getSelection && window.getSelection()).length) return; // selecting text
    e.preventDefault();
    const id = row.dataset.id;
    setSelectedId(id);
    if (id !== live.current.openId) openCase(id);
  };

  // A row reached with Tab becomes the selection.
  const onListFocus = (e) => {
    const row = e.target.closest && e.target.closest('tr[data-id]');
    if (row && row.dataset.id !== live.current.selectedId) {
      live.current.selectedId = row.dataset.id;
      setSelectedId(row.dataset.id);
    }
  };

  const emptyText = FILTER_KEYS.some((k) => f[k])
    ? `${t('queue.empty')} ${t('queue.empty.filtered')}`
    : t(f.tab === 'all' ? 'queue.empty' : `queue.empty.${f.tab}`);

  const list = html`<section class="q-list" aria-label=${t('queue.list')}>
    <${Tabs} tab=${f.tab} counts=${s.counts} status=${f.status} />
    <${Filters} f=${f} searchRef=${searchRef} refv=${refv} lang=${lang} onReload=${() => store.reload()} />
    ${s.status === 'loading' ? html`<div class="loading-bar" role="status" aria-label=${t('common.loading')}></div>` : html`<div class="q-bar-space"></div>`}
    <div id="q-panel" role="tabpanel" aria-labelledby=${`q-tab-${f.tab}`} class=${`q-scroll${s.stale ? ' is-stale' : ''}`}
      ref=${scrollRef} onScroll=${onScroll}>
      ${newAbove > 0 ? html`<button type="button" class="q-new-hint" onClick=${toTop}
        aria-label=${t('queue.new_above_label', { n: newAbove })}>${t('queue.new_above', { n: newAbove })}</button>` : null}
      ${s.status === 'error' ? html`<${ErrorNote} error=${s.error} onRetry=${() => store.reload()} />` : null}
      ${s.status !== 'error' && (s.items.length || s.status === 'ready') ? html`<table class="table q-table">
        <caption class="visually-hidden">${t(`queue.tab.${f.tab}`)} · ${t('queue.keys')}</caption>
        <thead><tr>
          <th scope="col" class="c-ref">${t('queue.col.ref')}</th>
          <th scope="col" class="c-cat">${t('queue.col.category')}</th>
          <th scope="col" class="c-desc">${t('queue.col.description')}</th>
          <th scope="col" class="c-grid">${t('queue.col.grid')}</th>
          <th scope="col" class="c-status">${t('queue.col.status')}</th>
          <th scope="col" class="c-party">${t('queue.col.party')}</th>
          <th scope="col" class="c-due">${t('queue.col.deadline')}</th>
          <th scope="col" class="c-src">${t('queue.col.source')}</th>
          <th scope="col" class="c-age">${t('queue.col.age')}</th>
        </tr></thead>
        <tbody onClick=${onListClick} onFocusCapture=${onListFocus}>
          <${Rows} items=${s.items} qs=${qs} selectedId=${selectedId} openId=${openId} fresh=${s.fresh}
            tick=${tick} lang=${lang} refv=${refv} />
        </tbody>
      </table>` : null}
      ${s.status === 'ready' && !s.items.length ? html`<p class="state">${emptyText}</p>` : null}
      ${s.status === 'ready' && s.items.length ? html`<div class="q-foot">
        ${s.moreError ? html`<${ErrorNote} error=${s.moreError} onRetry=${() => store.loadMore()} />` : null}
        ${s.cursor
          ? html`<span class="muted">${t('queue.shown', { n: s.items.length })}</span>
            <button type="button" class="btn" disabled=${s.loadingMore} onClick=${() => store.loadMore()}>
              ${s.loadingMore ? t('queue.loading_more') : t('queue.more')}</button>`
          : html`<span class="muted">${t('queue.end', { n: s.items.length })}</span>`}
      </div>` : null}
      <div ref=${sentinelRef} class="q-sentinel" aria-hidden="true"></div>
    </div>
    <p class="q-keys muted" aria-hidden="true">${t('queue.keys')}</p>
  </section>`;

  if (!openId) return html`<div class="split single q-screen">${list}</div>`;
  return html`<div class="split q-screen has-case">
    ${list}
    <section class="q-case" ref=${caseRef} aria-label=${t('queue.case_pane')}>
      <${CasePane} key=${'case'} id=${openId} onClose=${closeCase} />
    </section>
  </div>`;
}
