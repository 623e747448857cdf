// Sign-in: a page when nobody is signed in, a modal dialog over the console
// when the session ended while working (the screen underneath keeps its
// state, and the same URL stays).

import { html, useState, useEffect, useRef } from '../vendor/htm-preact.js';
import { t, addStrings, useLocale } from '../lib/i18n.js';
import { signIn, signOut } from '../lib/session.js';
import { LangSwitch } from '../lib/ui.js';

addStrings({
  'zh-CN': {
    'signin.title': '登录调度台',
    'signin.product': 'gridops 网格化管理',
    'signin.username': '用户名或手机号',
    'signin.password': '密码',
    'signin.submit': '登录',
    'signin.busy': '正在登录…',
    'signin.wrong': '用户名或密码错误。',
    'signin.throttled': '尝试次数过多，请在 {n} 秒后再试。',
    'signin.throttled_later': '尝试次数过多，请稍后再试。',
    'signin.throttled_min': '尝试次数过多，请在 {n} 分钟后再试。',
    'signin.disabled': '此账号已停用。',
    'signin.network': '无法连接服务器，请检查网络后重试。',
    'signin.expired': '登录已过期，请重新登录。当前页面会保留。',
    'signin.expired_title': '重新登录',
    'signin.other_user': '换一个账号',
    'signin.missing': '请输入用户名和密码。',
  },
  en: {
    'signin.title': 'Sign in to the console',
    'signin.product': 'gridops grid management',
    'signin.username': 'Username or mobile number',
    'signin.password': 'Password',
    'signin.submit': 'Sign in',
    'signin.busy': 'Signing in…',
    'signin.wrong': 'Wrong username or password.',
    'signin.throttled': 'Too many attempts. Try again in {n} s.',
    'signin.throttled_later': 'Too many attempts. Try again later.',
    'signin.throttled_min': 'Too many attempts. Try again in {n} min.',
    'signin.disabled': 'This account is disabled.',
    'signin.network': 'The server cannot be reached. Check the network and try again.',
    'signin.expired': 'Your session has ended. Sign in again; this page stays as it is.',
    'signin.expired_title': 'Sign in again',
    'signin.other_user': 'Use another account',
    'signin.missing': 'Enter your username and password.',
  },
});

function messageOf(err, wait) {
  if (!err) return '';
  if (err.status === 0) return t('signin.network');
  if (err.status === 401) return t('signin.wrong');
  if (err.status === 429) {
    if (wait > 90) return t('signin.throttled_min', { n: Math.ceil(wait / 60) });
    return wait > 0 ? t('signin.throttled', { n: wait }) : t('signin.throttled_later');
  }
  if (err.status === 403) return err.problem.detail || t('signin.disabled');
  if (err.status === 422) return t('signin.missing');
  return err.problem ? err.problem.detail || err.problem.title : String(err.message || err);
}

function SignInForm({ expired, username: initialUser }) {
  useLocale();
  const [username, setUsername] = useState(initialUser || '');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [wait, setWait] = useState(0);
  const userRef = useRef(null);
  const passRef = useRef(null);

  useEffect(() => {
    (initialUser ? passRef : userRef).current?.focus();
  }, []);

  // Count down a 429's Retry-After.
  useEffect(() => {
    if (wait <= 0) return undefined;
    const id = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);

  const submit = async (e) => {
    e.preventDefault();
    if (busy || wait > 0) return;
    if (!username.trim() || !password) {
      setError({ status: 422, problem: {} });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
      // The session module switches the shell to the console.
    } catch (err) {
      setError(err);
      if (err.status === 429) setWait(Math.max(1, Math.ceil(err.retryAfter || 30)));
      setPassword('');
      setBusy(false);
      passRef.current?.focus();
    }
  };

  const msg = messageOf(error, wait);
  const userInvalid = error && (error.status === 401 || (error.status === 422 && !username.trim()));
  return html`<form class="signin-card panel" onSubmit=${submit} novalidate aria-labelledby="signin-title">
    <div class="signin-lang"><${LangSwitch} /></div>
    <h1 id="signin-title">${expired ? t('signin.expired_title') : t('signin.title')}</h1>
    <p class="sub">${t('signin.product')}</p>
    ${expired ? html`<p class="notice-bar" role="status">${t('signin.expired')}</p>` : null}
    <div class="field">
      <label for="signin-user">${t('signin.username')}</label>
      <input id="signin-user" ref=${userRef} type="text" name="username" autocomplete="username"
        autocapitalize="off" spellcheck="false" required value=${username}
        aria-invalid=${userInvalid ? 'true' : 'false'}
        onInput=${(e) => setUsername(e.currentTarget.value)} />
    </div>
    <div class="field">
      <label for="signin-pass">${t('signin.password')}</label>
      <input id="signin-pass" ref=${passRef} type="password" name="password" autocomplete="current-password"
        required value=${password} aria-invalid=${error && error.status === 401 ? 'true' : 'false'}
        onInput=${(e) => setPassword(e.currentTarget.value)} />
    </div>
    ${msg ? html`<p class="signin-error" role="alert" id="signin-error">${msg}</p>` : null}
    <button type="submit" class="btn btn-primary" disabled=${busy || wait > 0}>
      ${busy ? t('signin.busy') : t('signin.submit')}
    </button>
    ${expired ? html`<button type="button" class="btn btn-ghost" onClick=${() => signOut()}>${t('signin.other_user')}</button>` : null}
  </form>`;
}

/** The sign-in page (nobody signed in). */
export function SignInScreen() {
  useEffect(() => {
    document.title = `${t('signin.submit')} · gridops`;
  }, []);
  return html`<main class="signin" id="main"><${SignInForm} /></main>`;
}

/** Sign in again over the console, which keeps its state underneath. */
export function SignInDialog({ username }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open && d.showModal) d.showModal();
    // showModal focuses the first control (the language); the password is what is wanted.
    d?.querySelector('#signin-pass')?.focus();
    return () => d && d.open && d.close();
  }, []);
  // Escape must not close it: there is nothing to go back to.
  const cancel = (e) => e.preventDefault();
  return html`<dialog class="signin-dialog" ref=${ref} onCancel=${cancel} aria-labelledby="signin-title">
    <${SignInForm} expired username=${username} />
  </dialog>`;
}
