// The console's shell: session, top bar, navigation, and the screens, each
// imported on demand so that a broken screen module never takes the rest down.

import { html, render, useEffect, useRef } from './vendor/htm-preact.js';
import { t, addStrings, useLocale, loadCategories, roleLabel } from './lib/i18n.js';
import { useRoute, Link, navigate } from './lib/router.js';
import { useSession, restore, signOut, hasRole } from './lib/session.js';
import { useLiveState, reconnect } from './lib/live.js';
import { Lazy, Loading, ErrorNote, LangSwitch, importOnce } from './lib/ui.js';
import { SignInScreen, SignInDialog } from './screens/signin.js';

addStrings({
  'zh-CN': {
    'app.name': 'gridops',
    'app.subtitle': '调度台',
    'app.skip': '跳到主要内容',
    'app.nav': '主导航',
    'nav.queue': '案件队列',
    'nav.map': '地图',
    'nav.report': '热线登记',
    'nav.notices': '通知公告',
    'nav.rules': '分拨规则',
    'live.open': '实时',
    'live.connecting': '连接中',
    'live.down': '已断开',
    'live.label': '实时更新：{state}',
    'live.retry': '重连',
    'app.signout': '退出',
    'app.signout_label': '退出登录（{name}）',
    'app.restoring': '正在恢复会话…',
    'app.offline_title': '无法连接服务器',
    'app.not_staff': '此调度台供工作人员使用。您的账号没有可用的功能，请使用手机应用。',
    'app.not_allowed': '您的角色无权使用此页面。',
    'app.not_found': '没有这个页面。',
    'app.to_queue': '回到案件队列',
  },
  en: {
    'app.name': 'gridops',
    'app.subtitle': 'Dispatch console',
    'app.skip': 'Skip to main content',
    'app.nav': 'Main navigation',
    'nav.queue': 'Queue',
    'nav.map': 'Map',
    'nav.report': 'Hotline entry',
    'nav.notices': 'Notices',
    'nav.rules': 'Routing rules',
    'live.open': 'Live',
    'live.connecting': 'Connecting',
    'live.down': 'Offline',
    'live.label': 'Live updates: {state}',
    'live.retry': 'Reconnect',
    'app.signout': 'Sign out',
    'app.signout_label': 'Sign out ({name})',
    'app.restoring': 'Restoring the session…',
    'app.offline_title': 'The server cannot be reached',
    'app.not_staff': 'This console is for staff. Your account has nothing to do here; please use the phone app.',
    'app.not_allowed': 'Your roles do not give access to this screen.',
    'app.not_found': 'There is no such page.',
    'app.to_queue': 'Back to the queue',
  },
});

const STAFF = ['admin', 'dispatcher', 'grid_chief', 'grid_worker', 'handler'];
const any = (roles) => roles.some((r) => hasRole(r));

/** The screens, what they need, and where their modules are. */
const SCREENS = {
  queue: { href: '/console/queue', url: '/console/screens/queue.js', exp: 'QueueScreen', allowed: () => any(STAFF) },
  map: { href: '/console/map', url: '/console/screens/map.js', exp: 'MapScreen', allowed: () => any(STAFF) },
  // The hotline is the dispatchers' (the API refuses administrators' reports).
  report: { href: '/console/report', url: '/console/screens/report.js', exp: 'ReportScreen', allowed: () => any(['dispatcher']) },
  // Grid chiefs post to their grid, dispatchers to their area.
  notices: { href: '/console/notices', url: '/console/screens/notices.js', exp: 'NoticesScreen', allowed: () => any(['dispatcher', 'grid_chief', 'admin']) },
  rules: { href: '/console/rules', url: '/console/screens/rules.js', exp: 'RulesScreen', allowed: () => hasRole('admin') },
};
const NAV = ['queue', 'map', 'report', 'notices', 'rules'];

function sectionOf(screen) {
  return screen === 'case' ? 'queue' : screen;
}

function LiveIndicator() {
  useLocale();
  const s = useLiveState();
  const label = t(`live.${s}`);
  return html`<span class="live ${s}" role="status" aria-live="polite" title=${t('live.label', { state: label })}>
    <span class="dot" aria-hidden="true"></span>
    <span><span class="visually-hidden">${t('live.label', { state: '' })}</span>${label}</span>
    ${s === 'down' ? html`<button type="button" class="btn-top" onClick=${reconnect}>${t('live.retry')}</button>` : null}
  </span>`;
}

function TopBar({ me, section }) {
  useLocale();
  const name = me.display_name || me.username;
  const roles = [...new Set((me.roles || []).map((g) => g.role))];
  return html`<header class="topbar">
    <a class="skip-link" href="#main">${t('app.skip')}</a>
    <${Link} class="brand" href="/console/queue">${t('app.name')}<small>${t('app.subtitle')}</small><//>
    <nav class="nav" aria-label=${t('app.nav')}>
      ${NAV.filter((k) => SCREENS[k].allowed()).map(
        (k) => html`<${Link} key=${k} href=${SCREENS[k].href} aria-current=${section === k ? 'page' : undefined}>${t(`nav.${k}`)}<//>`,
      )}
    </nav>
    <span class="spacer"></span>
    <${LiveIndicator} />
    <${LangSwitch} />
    <span class="user">
      <span class="who">
        <span>${name}</span>
        <small>${roles.map(roleLabel).join(' · ')}</small>
      </span>
      <button type="button" class="btn-top" aria-label=${t('app.signout_label', { name })} onClick=${() => signOut()}>
        ${t('app.signout')}
      </button>
    </span>
  </header>`;
}

function Blocked({ message, back = true }) {
  return html`<div class="forbidden panel"><div class="panel-body">
    <p>${message}</p>
    ${back ? html`<p><${Link} href="/console/queue">${t('app.to_queue')}<//></p>` : null}
  </div></div>`;
}

function Shell({ me, expired }) {
  const locale = useLocale();
  const route = useRoute();
  const mainRef = useRef(null);
  const section = sectionOf(route.screen);
  const lastSection = useRef(section);

  // The signin address is for signed-out users only.
  useEffect(() => {
    if (route.screen === 'signin') navigate('/console/queue', { replace: true });
  }, [route.screen]);

  // A new section: move focus to its content (not when a case opens beside the queue).
  useEffect(() => {
    if (lastSection.current !== section) {
      lastSection.current = section;
      mainRef.current?.focus({ preventScroll: true });
    }
    const def = SCREENS[section];
    document.title = def ? `${t(`nav.${section}`)} · gridops` : 'gridops';
  }, [section, locale]);

  let content;
  const def = SCREENS[section];
  if (!any(STAFF)) content = html`<${Blocked} message=${t('app.not_staff')} back=${false} />`;
  else if (!def) content = route.screen === 'signin' ? null : html`<${Blocked} message=${t('app.not_found')} />`;
  else if (!def.allowed()) content = html`<${Blocked} message=${t('app.not_allowed')} />`;
  else content = html`<${Lazy} url=${def.url} exportName=${def.exp} props=${{ route }} />`;

  return html`<div class="shell">
    <${TopBar} me=${me} section=${section} />
    <main class="screen" id="main" tabindex="-1" ref=${mainRef} aria-hidden=${expired ? 'true' : undefined}>${content}</main>
    ${expired ? html`<${SignInDialog} username=${me.username} />` : null}
  </div>`;
}

function App() {
  useLocale();
  const s = useSession();

  useEffect(() => {
    if (s.status === 'signedin') loadCategories().catch(() => {});
  }, [s.status]);

  if (s.status === 'restoring') return html`<${Loading} label=${t('app.restoring')} />`;
  if (s.status === 'offline') {
    return html`<main id="main" class="forbidden">
      <${ErrorNote} error=${s.error} title=${t('app.offline_title')} onRetry=${() => restore()} />
    </main>`;
  }
  if (s.status === 'signedout' || !s.me) return html`<${SignInScreen} />`;
  // Keyed by user: another account signing in starts afresh.
  return html`<${Shell} key=${s.me.id} me=${s.me} expired=${s.status === 'expired'} />`;
}

// The queue is the first screen nearly always: fetch it while the session restores.
importOnce('/console/screens/queue.js').catch(() => {});
restore();
render(html`<${App} />`, document.getElementById('app'));
