// First-party script of the Sekisho demo site. It always runs (no data-consent), and is never
// blocked: it only talks to the page itself and to the public API `window.sekisho`.
//
// It adds the "Sekisho demo panel" (until the SDK ships its own banner): accept all / reject all,
// per-category switches + save, the current state (`sekisho.get()`) and the audit log
// (`sekisho.audit()`), refreshed on every SDK event. It also wires the 「Facebookでログイン」
// button (asks for the SNS purpose first) and the footer's 「Cookie設定 / 外部送信について」 link.
(function () {
  'use strict';

  var CATEGORIES = [
    { id: 'necessary', ja: '必須', en: 'Necessary', fixed: true },
    { id: 'functional', ja: '機能', en: 'Functional' },
    { id: 'analytics', ja: 'アクセス解析', en: 'Analytics' },
    { id: 'ads', ja: '広告', en: 'Advertising' },
    { id: 'sns', ja: 'SNS 連携・埋め込み', en: 'Social media' }
  ];
  var EVENTS = ['change', 'released', 'blocked', 'ready'];
  var MAX_ROWS = 300;

  var ui = {};
  var dirty = false; // the visitor changed a switch and has not saved yet
  var sdkSubscribed = false;
  var renderQueued = false;
  var sdkFileProblem = null; // set when /sekisho/sekisho.js cannot be fetched

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') e.textContent = attrs[k];
        else if (k === 'className') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }

  function sdk() {
    var s = window.sekisho;
    return s && typeof s === 'object' && typeof s.get === 'function' ? s : null;
  }

  // Returns {state} or {error: 'why'}.
  function readState() {
    var s = sdk();
    if (!s) {
      var why = 'window.sekisho がありません（SDK が読み込まれていないか、起動に失敗しました）。';
      if (sdkFileProblem) why += ' ' + sdkFileProblem;
      return { error: why };
    }
    try {
      var st = s.get();
      if (!st || typeof st !== 'object') return { error: 'sekisho.get() が状態を返しませんでした。' };
      if (st.error) return { error: 'SDK がエラーを報告しました: ' + String(st.error), state: st };
      return { state: st };
    } catch (e) {
      return { error: 'sekisho.get() が例外を投げました: ' + (e && e.message ? e.message : String(e)) };
    }
  }

  function readAudit() {
    var s = sdk();
    if (!s || typeof s.audit !== 'function') return [];
    try {
      var a = s.audit();
      return Array.isArray(a) ? a : [];
    } catch (e) {
      return [];
    }
  }

  function say(msg) {
    ui.message.textContent = msg;
  }

  function call(name, arg, done) {
    var s = sdk();
    if (!s || typeof s[name] !== 'function') {
      say('sekisho.' + name + '() を呼び出せません: SDK が動作していません。');
      return;
    }
    try {
      var r = arg === undefined ? s[name]() : s[name](arg);
      dirty = false;
      say(done);
      if (r && typeof r.then === 'function') r.then(queueRender, function (e) { say('エラー: ' + e); });
    } catch (e) {
      say('sekisho.' + name + '() でエラー: ' + (e && e.message ? e.message : String(e)));
    }
    queueRender();
  }

  function formatTime(at) {
    if (typeof at === 'number') {
      if (at > 1e11) return new Date(at).toLocaleTimeString('ja-JP') + '.' + String(Math.floor(at % 1000)).padStart(3, '0');
      if (at > 1e9) return new Date(at * 1000).toLocaleTimeString('ja-JP');
      return '+' + at.toFixed(1) + ' ms';
    }
    if (typeof at === 'string') {
      var d = new Date(at);
      return isNaN(d.getTime()) ? at : d.toLocaleTimeString('ja-JP');
    }
    return at == null ? '' : String(at);
  }

  function buildPanel() {
    var main = document.getElementById('main') || document.body;

    ui.badge = el('span', { className: 'sk-panel__badge sk-panel__badge--wait', text: '確認中…' });
    ui.error = el('div', { className: 'sk-panel__error', role: 'alert', hidden: '' });
    ui.message = el('p', { className: 'sk-panel__message', role: 'status', 'aria-live': 'polite' });

    var accept = el('button', { type: 'button', className: 'sk-btn sk-btn--primary', 'data-demo-action': 'accept-all', text: 'すべて同意' });
    var reject = el('button', { type: 'button', className: 'sk-btn sk-btn--primary', 'data-demo-action': 'reject-all', text: 'すべて拒否' });
    accept.addEventListener('click', function () { call('acceptAll', undefined, 'すべてのカテゴリに同意しました。'); });
    reject.addEventListener('click', function () { call('rejectAll', undefined, '必須以外のすべてを拒否しました。'); });

    ui.boxes = {};
    var fs = el('fieldset', null, [el('legend', { text: 'カテゴリごとに選ぶ' })]);
    CATEGORIES.forEach(function (c) {
      var id = 'sk-demo-cat-' + c.id;
      var box = el('input', { type: 'checkbox', id: id, name: c.id, 'data-demo-category': c.id });
      if (c.fixed) { box.checked = true; box.disabled = true; }
      box.addEventListener('change', function () { dirty = true; });
      ui.boxes[c.id] = box;
      fs.appendChild(el('label', { for: id }, [box, document.createTextNode(c.ja + (c.fixed ? '（常に有効）' : ''))]));
    });
    var save = el('button', { type: 'button', className: 'sk-btn sk-btn--secondary', 'data-demo-action': 'save', text: '保存' });
    save.addEventListener('click', function () {
      var choice = {};
      CATEGORIES.forEach(function (c) { if (!c.fixed) choice[c.id] = ui.boxes[c.id].checked; });
      call('set', choice, '選択を保存しました: ' + JSON.stringify(choice));
    });
    fs.appendChild(save);

    ui.state = el('pre', { id: 'sk-demo-state', tabindex: '0', 'aria-label': 'sekisho.get() の結果' });
    ui.counts = el('span', { className: 'sk-panel__counts' });
    ui.tbody = el('tbody');
    var table = el('table', null, [
      el('caption', { className: 'visually-hidden', text: 'Sekisho の監査ログ（新しい順）' }),
      el('thead', null, [el('tr', null, ['時刻', '種別', '経路 (API)', 'カテゴリ', 'サービス', '結果', 'URL'].map(function (h) {
        return el('th', { scope: 'col', text: h });
      }))]),
      ui.tbody
    ]);

    var details = el('details', { open: '' }, [
      el('summary', null, [
        el('h2', { id: 'sk-demo-title', text: 'Sekisho デモパネル' }),
        ui.badge
      ]),
      el('p', { text: '開発者向けの確認用パネルです。バナーとは別に、サイト側の JavaScript から公開 API window.sekisho を呼び出し、状態と監査ログを表示しています。' }),
      ui.error,
      el('div', { className: 'sk-panel__row' }, [accept, reject]),
      fs,
      ui.message,
      el('div', { className: 'sk-panel__grid' }, [
        el('div', null, [el('h3', { text: '現在の状態 sekisho.get()' }), ui.state]),
        el('div', null, [
          el('h3', null, [document.createTextNode('監査ログ sekisho.audit() '), ui.counts]),
          el('div', { className: 'sk-audit', tabindex: '0', role: 'region', 'aria-label': '監査ログ' }, [table])
        ])
      ]),
      el('h3', { text: 'カタログにない外部ホスト sekisho.uncovered()' }),
      el('p', { text: 'このページが通信した第三者のうち、公表の記載がないもの（カタログにも設定の services にもない、またはベース層が保留するだけのもの）。設定と外部送信の公表に加えるべき送信先の候補です。' }),
      el('div', { className: 'sk-audit', tabindex: '0', role: 'region', 'aria-label': 'カタログにない外部ホスト' }, [
        el('table', null, [
          el('thead', null, [el('tr', null, ['ホスト', 'サービス（ベース層）', '種別', 'URL 数', '初回'].map(function (h) {
            return el('th', { scope: 'col', text: h });
          }))]),
          ui.uncovered = el('tbody')
        ])
      ])
    ]);
    var panel = el('section', { id: 'sekisho-demo-panel', className: 'sk-panel', 'aria-labelledby': 'sk-demo-title' }, [details]);
    ui.details = details;
    main.insertBefore(panel, main.firstChild);
  }

  function render() {
    renderQueued = false;
    var r = readState();
    if (r.error) {
      ui.badge.className = 'sk-panel__badge sk-panel__badge--error';
      ui.badge.textContent = 'SDK 失敗';
      ui.error.hidden = false;
      ui.error.textContent = 'Sekisho SDK が動作していません: ' + r.error;
    } else {
      ui.badge.className = 'sk-panel__badge sk-panel__badge--ok';
      ui.badge.textContent = r.state.decided ? '動作中（選択済み）' : '動作中（未選択）';
      ui.error.hidden = true;
      ui.error.textContent = '';
    }
    ui.state.textContent = r.state ? JSON.stringify(r.state, null, 2) : '—';

    var cats = r.state && r.state.categories;
    CATEGORIES.forEach(function (c) {
      var box = ui.boxes[c.id];
      if (!c.fixed) {
        box.disabled = !!r.error;
        if (!dirty && cats) box.checked = !!cats[c.id];
      }
    });
    subscribe();
    renderAudit();
    renderUncovered();
  }

  function renderUncovered() {
    var s = sdk();
    var report = { hosts: [], more: 0 };
    try { if (s && typeof s.uncovered === 'function') report = s.uncovered(); } catch (e) { /* shown empty */ }
    var frag = document.createDocumentFragment();
    report.hosts.forEach(function (h) {
      frag.appendChild(el('tr', null, [
        el('td', { className: 'sk-url', text: h.host }),
        el('td', { text: h.service || '—' }),
        el('td', { text: h.kinds.join(', ') }),
        el('td', { text: String(h.urls) }),
        el('td', { text: formatTime(h.firstAt) })
      ]));
    });
    if (report.more) frag.appendChild(el('tr', null, [el('td', { colspan: '5', text: 'ほか ' + report.more + ' ホスト' })]));
    if (!report.hosts.length) frag.appendChild(el('tr', null, [el('td', { colspan: '5', text: 'ありません。' })]));
    ui.uncovered.replaceChildren(frag);
  }

  function renderAudit() {
    var entries = readAudit();
    var counts = { blocked: 0, released: 0, allowed: 0 };
    entries.forEach(function (e) { if (e && counts[e.action] !== undefined) counts[e.action]++; });
    ui.counts.textContent = '（ブロック ' + counts.blocked + ' ／ 解除 ' + counts.released + ' ／ 許可 ' + counts.allowed + ' ／ 計 ' + entries.length + ' 件）';

    var frag = document.createDocumentFragment();
    var shown = entries.slice(-MAX_ROWS).reverse();
    shown.forEach(function (e) {
      e = e || {};
      var action = String(e.action || '');
      frag.appendChild(el('tr', null, [
        el('td', { text: formatTime(e.at) }),
        el('td', { text: String(e.kind || '') }),
        el('td', { text: String(e.via || '') }),
        el('td', { text: String(e.category || '') }),
        el('td', { text: String(e.service || '') }),
        el('td', { className: 'sk-action--' + action.replace(/[^a-z]/g, ''), text: action }),
        el('td', { className: 'sk-url', text: String(e.url || '') })
      ]));
    });
    if (!shown.length) {
      frag.appendChild(el('tr', null, [el('td', { colspan: '7', text: '記録はまだありません。' })]));
    }
    ui.tbody.replaceChildren(frag);
  }

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    (window.requestAnimationFrame || setTimeout)(render);
  }

  function subscribe() {
    if (sdkSubscribed) return;
    var s = sdk();
    if (!s || typeof s.on !== 'function') return;
    sdkSubscribed = true;
    EVENTS.forEach(function (ev) {
      try { s.on(ev, queueRender); } catch (e) { /* the document events below still refresh */ }
    });
  }

  // When the SDK is missing, tell the visitor why: not built (404) or not reachable.
  function diagnoseSdkFile() {
    if (sdk() || typeof fetch !== 'function') return;
    fetch('/sekisho/sekisho.js', { method: 'HEAD', cache: 'no-store' }).then(function (res) {
      if (res.status === 404) {
        sdkFileProblem = '/sekisho/sekisho.js が見つかりません（404）。scripts/build.sh で SDK をビルドしてください。';
      } else if (!res.ok) {
        sdkFileProblem = '/sekisho/sekisho.js の取得に失敗しました（HTTP ' + res.status + '）。';
      } else {
        sdkFileProblem = '/sekisho/sekisho.js は取得できますが、window.sekisho を作りませんでした。コンソールのエラーを確認してください。';
      }
      queueRender();
    }, function (e) {
      sdkFileProblem = '/sekisho/sekisho.js を取得できません: ' + e;
      queueRender();
    });
  }

  // 「Facebookでログイン」: SNS linkage is always opt-in, so ask for the purpose first.
  function wireFacebookLogin() {
    var btn = document.getElementById('fb-login-button');
    var status = document.getElementById('fb-login-status');
    if (!btn) return;
    function show(msg) { if (status) status.textContent = msg; }
    function waitForFB(tries) {
      if (window.FB && typeof window.FB.login === 'function') {
        window.FB.login(function (res) {
          show(res && res.status === 'connected' ? 'Facebook と連携しました。' : 'ログインはキャンセルされました。');
        }, { scope: 'public_profile,email' });
      } else if (tries > 0) {
        setTimeout(function () { waitForFB(tries - 1); }, 250);
      } else {
        show('Facebook に接続できませんでした（このデモ環境はオフラインです）。');
      }
    }
    btn.addEventListener('click', function () {
      var s = sdk();
      if (!s) { show('同意管理（Sekisho）が動作していないため、SNS 連携は利用できません。'); return; }
      var st = readState().state;
      if (st && st.categories && st.categories.sns) { show('Facebook に接続しています…'); waitForFB(20); return; }
      if (typeof s.require === 'function') {
        show('SNS 連携への同意をお願いしています…');
        Promise.resolve(s.require('sns')).then(function () {
          show('Facebook に接続しています…');
          waitForFB(20);
        }, function () { show('SNS 連携に同意いただけなかったため、ログインを中止しました。'); });
      } else {
        show('Facebook でログインするには「SNS 連携・埋め込み」への同意が必要です。下のパネルで選んでください。');
        if (ui.details) ui.details.open = true;
        if (ui.boxes && ui.boxes.sns) ui.boxes.sns.focus();
      }
    });
  }

  // Footer 「Cookie設定 / 外部送信について」: the SDK's preference center when it has one.
  function wireCookieSettingsLink() {
    var link = document.getElementById('cookie-settings-link');
    if (!link) return;
    link.addEventListener('click', function (ev) {
      var s = sdk();
      if (s && typeof s.showPreferences === 'function') {
        try { s.showPreferences(); ev.preventDefault(); return; } catch (e) { /* fall back to the panel */ }
      }
      if (ui.details) ui.details.open = true;
    });
  }

  function start() {
    buildPanel();
    EVENTS.forEach(function (ev) { document.addEventListener('sekisho:' + ev, queueRender); });
    wireFacebookLogin();
    wireCookieSettingsLink();
    render();
    diagnoseSdkFile();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
