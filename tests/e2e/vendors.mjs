// FAKE but behaviour-faithful vendor files served by the loopback server (tests/e2e/loopback.mjs).
//
// Each fake does what the real file does that matters for consent testing: it reads the queue the vendor's
// published snippet creates, writes the vendor's FIRST-PARTY cookies with `document.cookie`, and sends the
// vendor's hits (beacon / image / fetch) to the vendor's collection host. It also sets a `window.__<x>Loaded`
// flag so a test can tell "requested" from "executed". None of this is vendor code.
//
// A route is `{ host, path: RegExp, handler(req, url, ctx) }`; `host` is an exact host name or `*.suffix`.
// `handler` returns `{ status?, type, body, headers? }` (type is a key of TYPES or a full MIME type).
// To cover another vendor, append a route here (or call `loopback.route(...)` from a test).

export const TYPES = {
  js: 'text/javascript; charset=utf-8',
  html: 'text/html; charset=utf-8',
  json: 'application/json; charset=utf-8',
  css: 'text/css; charset=utf-8',
  gif: 'image/gif',
  png: 'image/png',
  jpg: 'image/jpeg',
  svg: 'image/svg+xml',
  wasm: 'application/wasm',
  txt: 'text/plain; charset=utf-8',
};

/** 1x1 transparent GIF (what pixel endpoints answer). */
export const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

// Hosts that belong to trackers / vendors (suffix match). Any request to one of them counts as a
// third-party transmission in the tests.
export const TRACKER_SUFFIXES = [
  'googletagmanager.com', 'google-analytics.com', 'doubleclick.net', 'googlesyndication.com',
  'googleadservices.com', 'google.com',
  'facebook.net', 'facebook.com', 'instagram.com',
  'youtube.com', 'youtube-nocookie.com', 'ytimg.com', 'googlevideo.com',
  'bing.com', 'clarity.ms',
  'twitter.com', 'ads-twitter.com', 't.co', 'x.com', 'twimg.com',
  'line-scdn.net', 'line.me', 'line-apps.com',
  'yimg.jp', 'yahoo.co.jp',
  'tiktok.com', 'criteo.com', 'criteo.net', 'amazon-adsystem.com', 'linkedin.com', 'licdn.com',
  'pinterest.com', 'pinimg.com', 'hotjar.com',
];

/** Host names given explicit MAP rules (documentary; a catch-all rule maps every other name too). */
export const MAPPED_HOSTS = [
  'site.test', 'cdn.jsdelivr.net',
  'www.googletagmanager.com', 'googletagmanager.com', 'www.google-analytics.com', 'google-analytics.com',
  '*.google-analytics.com', '*.doubleclick.net',
  'connect.facebook.net', 'www.facebook.com', 'facebook.com', '*.facebook.com',
  'www.youtube.com', 'youtube.com', 'www.youtube-nocookie.com', 'i.ytimg.com',
  'bat.bing.com', 'www.clarity.ms', '*.clarity.ms',
  'static.ads-twitter.com', 'analytics.twitter.com', 't.co', 'platform.twitter.com', 'syndication.twitter.com',
  'd.line-scdn.net', 'tr.line.me', 's.yimg.jp', '*.yahoo.co.jp',
];

export function isTrackerHost(host) {
  return TRACKER_SUFFIXES.some((s) => host === s || host.endsWith('.' + s));
}

// Shared snippet for the fakes: cookie helpers (first-party, as the real tags write them).
const COOKIE_JS = `
  function __ck(name){var m=new RegExp('(?:^|; )'+name+'=([^;]*)').exec(document.cookie);return m?decodeURIComponent(m[1]):null;}
  function __setck(name,val,days,domain){document.cookie=name+'='+val+'; path=/; max-age='+(days*86400)+(domain?'; domain='+domain:'')+'; SameSite=Lax'+(location.protocol==='https:'?'; Secure':'');}
  function __siteDomain(){var h=location.hostname.split('.');return h.length>=2?h.slice(-2).join('.'):location.hostname;}
  function __hb(fn){var ms=+window.__heartbeatMs||0; if(ms>0) (window.__fakeTimers=window.__fakeTimers||[]).push(setInterval(fn,ms));}
  function __rnd(){return String(Math.floor(Math.random()*1e9));}
  function __img(u){var i=new Image();i.src=u;(window.__fakeImgs=window.__fakeImgs||[]).push(i);}
`;

// ---------------------------------------------------------------------------------------------------------
// Google tag (gtag.js): https://www.googletagmanager.com/gtag/js?id=G-…
// The published snippet: window.dataLayer=…; function gtag(){dataLayer.push(arguments)} gtag('js',…);
// gtag('config','G-…'). Entries may be pushed before or after the file loads; `dataLayer.push` is replaced.
// Consent Mode: analytics_storage 'denied' → no _ga cookie, cookieless hits (gcs=G100), as the real tag.
const gtagJs = (id) => `/* FAKE gtag.js for ${id} (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  var ID=${JSON.stringify(id)};
  var dl=window.dataLayer=window.dataLayer||[];
  (window.__gtagIds=window.__gtagIds||[]).push(ID);
  window.__gtagLoaded=true;
  if (window.__fakeGtag) { window.__fakeGtag.addId(ID); return; }
  var consent={}; var configured=[]; var hits=window.__gtagHits=[];
  // Consent Mode's wait_for_update: hits wait (at most that long) for an update after a default that asks it.
  var waiting=null, pending=[], updated=false;
  function flush(){ if(waiting){clearTimeout(waiting);waiting=null;} var p=pending; pending=[]; for(var i=0;i<p.length;i++) hit.apply(null,p[i]); }
  function isCmd(x){return x && (Object.prototype.toString.call(x)==='[object Arguments]'||Array.isArray(x));}
  function granted(){return consent.analytics_storage!=='denied';}
  function cid(){
    if(!granted()) return '';
    var v=__ck('_ga'); if(v) return v.split('.').slice(2).join('.');
    // cookie_domain 'auto': the real tag writes _ga on the highest domain it can (here site.test, a domain cookie)
    var c=__rnd()+'.'+Math.floor(Date.now()/1000); __setck('_ga','GA1.1.'+c,400,__siteDomain()); return c;
  }
  function gcs(){ if(!('analytics_storage' in consent)&&!('ad_storage' in consent)) return '';
    return 'G1'+(consent.ad_storage==='denied'?'0':'1')+(consent.analytics_storage==='denied'?'0':'1'); }
  function hit(tid,en,params){
    if(waiting){ pending.push([tid,en,params]); return; }
    var q='v=2&tid='+encodeURIComponent(tid)+'&en='+encodeURIComponent(en)+'&cid='+encodeURIComponent(cid())
      +'&dl='+encodeURIComponent(location.href)+(gcs()?'&gcs='+gcs():'');
    if(params) for(var k in params) if(typeof params[k]!=='object') q+='&ep.'+encodeURIComponent(k)+'='+encodeURIComponent(params[k]);
    var url='https://www.google-analytics.com/g/collect?'+q; hits.push(url);
    try{ if(navigator.sendBeacon && navigator.sendBeacon(url)) return; }catch(e){}
    try{ fetch(url,{method:'POST',mode:'no-cors',keepalive:true,credentials:'include'}).catch(function(){}); }catch(e){}
  }
  function handle(a){
    if(!isCmd(a)) return;
    var c=a[0];
    if(c==='consent'){ var o=a[2]||{}; for(var k in o) consent[k]=o[k];
      if(a[1]==='default'&&o.wait_for_update>0&&!updated&&!waiting) waiting=setTimeout(flush,o.wait_for_update);
      if(a[1]==='update'){ updated=true; if(granted()&&configured.length) cid(); flush(); } }
    else if(c==='config'){ var tid=a[1]; if(configured.indexOf(tid)<0) configured.push(tid);
      var p=a[2]||{}; if(p.send_page_view!==false) hit(tid,'page_view'); }
    else if(c==='event'){ var p2=a[2]||{}; var to=p2.send_to?[].concat(p2.send_to):configured;
      for(var i=0;i<to.length;i++) hit(to[i],a[1],p2); }
  }
  var origPush=dl.push;
  dl.push=function(){ var r=origPush.apply(dl,arguments); for(var i=0;i<arguments.length;i++) handle(arguments[i]); return r; };
  window.__fakeGtag={addId:function(){}};
  for(var i=0;i<dl.length;i++) handle(dl[i]);
  // Test hook: window.__heartbeatMs > 0 makes the tag send an 'heartbeat' event that often (like user_engagement).
  __hb(function(){ for(var j=0;j<configured.length;j++) hit(configured[j],'heartbeat'); });
})();
`;

// Google Tag Manager container: https://www.googletagmanager.com/gtm.js?id=GTM-…
// The fake container holds two tags, both injected DYNAMICALLY as real GTM does, so they exercise runtime blocking of
// scripts inserted by other scripts:
//  - a GA4 tag: loads gtag.js (createElement + insertBefore) and configures G-GTM<id>;
//  - a Custom HTML tag with the Meta Pixel base code (pixel 9<digits of the id…>): GTM injects Custom HTML as an
//    inline <script> appended to <body>, which in turn inserts fbevents.js.
const gtmMetaPixelId = (id) => ('9' + id.replace(/\D/g, '') + '00000000000000').slice(0, 15);
const gtmJs = (id, l) => `/* FAKE gtm.js for ${id} (sekisho e2e loopback) */
(function(){
  var L=${JSON.stringify(l || 'dataLayer')};
  var dl=window[L]=window[L]||[];
  window.google_tag_manager=window.google_tag_manager||{}; window.google_tag_manager[${JSON.stringify(id)}]={dataLayer:{name:L}};
  window.__gtmLoaded=true;
  var ga='G-GTM'+${JSON.stringify(id.replace(/^GTM-/, ''))};
  dl.push(['js',new Date()]); dl.push(['config',ga]);
  var s=document.createElement('script'); s.async=true;
  s.src='https://www.googletagmanager.com/gtag/js?id='+ga+'&l='+L+'&cx=c';
  var f=document.getElementsByTagName('script')[0]; (f&&f.parentNode||document.head).insertBefore(s,f||null);
  function customHtml(){
    var c=document.createElement('script');
    c.text="!function(f,b,e,v,n,t,s){if(f.fbq)return;n=f.fbq=function(){n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments)};"
      +"if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';n.queue=[];t=b.createElement(e);t.async=!0;"
      +"t.src=v;s=b.getElementsByTagName(e)[0];s.parentNode.insertBefore(t,s)}(window,document,'script','https://connect.facebook.net/en_US/fbevents.js');"
      +"fbq('init','${gtmMetaPixelId(id)}');fbq('track','PageView');window.__gtmCustomHtmlRan=true;";
    document.body.appendChild(c);
  }
  if(document.body) customHtml(); else document.addEventListener('DOMContentLoaded',customHtml);
})();
`;

// Meta Pixel: https://connect.facebook.net/en_US/fbevents.js — processes the `fbq` queue from the base code.
const fbeventsJs = () => `/* FAKE fbevents.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  var f=window, n=f.fbq;
  if(!n){ n=f.fbq=function(){ n.callMethod?n.callMethod.apply(n,arguments):n.queue.push(arguments); };
    if(!f._fbq) f._fbq=n; n.push=n; n.loaded=true; n.version='2.0'; n.queue=[]; }
  window.__fbqLoaded=true;
  if(n.__fake) return; n.__fake=true;
  var pixels=[], revoked=false, held=[];
  function fbp(){ var v=__ck('_fbp'); if(!v){ v='fb.1.'+Date.now()+'.'+__rnd(); __setck('_fbp',v,90);} return v; }
  function send(id,ev,data){
    if(revoked){ held.push([id,ev,data]); return; }
    var u='https://www.facebook.com/tr/?id='+encodeURIComponent(id)+'&ev='+encodeURIComponent(ev)
      +'&dl='+encodeURIComponent(location.href)+'&fbp='+encodeURIComponent(fbp())+'&ts='+Date.now()+'.'+__rnd();
    if(data) u+='&cd='+encodeURIComponent(JSON.stringify(data));
    (window.__fbqHits=window.__fbqHits||[]).push(u); __img(u);
  }
  function handle(a){
    var c=a[0];
    if(c==='init'){ if(pixels.indexOf(a[1])<0) pixels.push(a[1]); if(!revoked) fbp(); }
    else if(c==='track'||c==='trackCustom'){ for(var i=0;i<pixels.length;i++) send(pixels[i],a[1],a[2]); }
    else if(c==='trackSingle'||c==='trackSingleCustom'){ send(a[1],a[2],a[3]); }
    else if(c==='consent'){ revoked=(a[1]==='revoke'); if(!revoked){ var h=held; held=[]; for(var j=0;j<h.length;j++) send.apply(null,h[j]); } }
  }
  n.callMethod=function(){ handle(arguments); };
  var q=n.queue||[]; n.queue=[]; for(var i=0;i<q.length;i++) handle(q[i]);
  __hb(function(){ for(var j=0;j<pixels.length;j++) send(pixels[j],'Heartbeat'); });
})();
`;

// Facebook JavaScript SDK (login, plugins): https://connect.facebook.net/<locale>/sdk.js
const fbSdkJs = (locale) => `/* FAKE Facebook SDK ${locale} (sekisho e2e loopback) */
(function(){
  window.__fbSdkLoaded=true;
  var appId=null;
  function status(){ return fetch('https://www.facebook.com/x/oauth/status?client_id='+encodeURIComponent(appId||'')+'&origin=1',
    {credentials:'include',mode:'cors'}).then(function(r){return r.json();}).catch(function(){return {status:'unknown'};}); }
  function parse(root){ var els=(root||document).querySelectorAll('.fb-like,.fb-share-button,.fb-login-button,.fb-page');
    for(var i=0;i<els.length;i++){ var el=els[i]; if(el.__fb) continue; el.__fb=1;
      var kind=el.className.match(/fb-([a-z-]+)/)[1].replace(/-/g,'_');
      var fr=document.createElement('iframe');
      fr.src='https://www.facebook.com/plugins/'+kind+'.php?app_id='+encodeURIComponent(appId||'')+'&href='+encodeURIComponent(el.getAttribute('data-href')||location.href);
      el.appendChild(fr); } }
  // FB.api: Graph API calls go to graph.facebook.com (with the SDK's cookies / token), as the real SDK's do.
  function api(path,method,params,cb){ if(typeof method==='function'){cb=method;method='get';} else if(typeof params==='function'){cb=params;}
    var u='https://graph.facebook.com/v19.0'+(path.charAt(0)==='/'?path:'/'+path)+(path.indexOf('?')<0?'?':'&')+'sdk=joey&app_id='+encodeURIComponent(appId||'');
    fetch(u,{credentials:'include',mode:'cors'}).then(function(r){return r.json();})
      .then(function(j){ cb&&cb(j); },function(){ cb&&cb({error:{message:'network error',type:'http'}}); }); }
  window.FB={
    api:api,
    AppEvents:{ logPageView:function(){ fetch('https://graph.facebook.com/v19.0/'+encodeURIComponent(appId||'')+'/activities?event=CUSTOM_APP_EVENTS',
      {method:'POST',mode:'no-cors',credentials:'include',keepalive:true}).catch(function(){}); } },
    init:function(o){ appId=o&&o.appId; if(o&&o.xfbml) parse(); if(o&&o.status!==false) status(); },
    getLoginStatus:function(cb){ status().then(function(r){ cb&&cb({status:r.status||'unknown'}); }); },
    login:function(cb){ window.open('https://www.facebook.com/dialog/oauth?client_id='+encodeURIComponent(appId||''),'fblogin'); cb&&cb({status:'unknown'}); },
    XFBML:{parse:parse}, Event:{subscribe:function(){}}
  };
  if(typeof window.fbAsyncInit==='function') window.fbAsyncInit();
})();
`;

// Microsoft UET: https://bat.bing.com/bat.js — defines `UET`; the published snippet does
// `o.q=w.uetq; w.uetq=new UET(o); w.uetq.push('pageLoad')` on load.
const batJs = () => `/* FAKE bat.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  window.__uetLoaded=true;
  // Before bat.js loads, uetq is a plain array, so uetq.push('consent','default',{…}) appends THREE items.
  function UET(o){ this.ti=o.ti; this.consent={}; var q=o.q||[];
    for(var i=0;i<q.length;i++){ var x=q[i]; if(x==='consent'||x==='event'||x==='set'){ this.push(x,q[i+1],q[i+2]); i+=2; } else this.push(x); } }
  UET.prototype.push=function(){
    var a=Array.prototype.slice.call(arguments);
    if(a.length===1&&typeof a[0]==='object'&&a[0]!==null&&!Array.isArray(a[0])){ return this.send('custom',a[0]); }
    if(a[0]==='consent'){ var o=a[2]||{}; for(var k in o) this.consent[k]=o[k]; return; }
    if(a[0]==='pageLoad') return this.send('pageLoad',{});
    if(a[0]==='event') return this.send('custom',Object.assign({ea:a[1]},a[2]||{}));
  };
  UET.prototype.send=function(evt,p){
    var storage=this.consent.ad_storage!=='denied';
    if(storage){ if(!__ck('_uetvid')) __setck('_uetvid',__rnd(),390); if(!__ck('_uetsid')) __setck('_uetsid',__rnd(),1); }
    var u='https://bat.bing.com/action/0?ti='+encodeURIComponent(this.ti)+'&evt='+evt+'&p='+encodeURIComponent(location.href)
      +(storage?'&vid='+(__ck('_uetvid')||''):'')+'&asc='+(storage?'G':'D');
    for(var k in p) u+='&'+encodeURIComponent(k)+'='+encodeURIComponent(p[k]);
    __img(u);
  };
  window.UET=UET;
})();
`;

// X (Twitter) conversion pixel: https://static.ads-twitter.com/uwt.js — processes the `twq` queue.
const uwtJs = () => `/* FAKE uwt.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  var s=window.twq; if(!s){ s=window.twq=function(){ s.exe?s.exe.apply(s,arguments):s.queue.push(arguments); }; s.version='1.1'; s.queue=[]; }
  window.__twqLoaded=true;
  var ids=[];
  var clk=/[?&]twclid=([^&#]*)/.exec(location.search); if(clk&&!__ck('_twclid')) __setck('_twclid',encodeURIComponent(JSON.stringify({t:Date.now(),v:clk[1]})),30);
  function fire(id,ev){
    var q='txn_id='+encodeURIComponent(id)+'&p_id=Twitter&events='+encodeURIComponent(JSON.stringify([[ev,{}]]))+'&tw_document_href='+encodeURIComponent(location.href);
    __img('https://analytics.twitter.com/i/adsct?'+q); __img('https://t.co/i/adsct?'+q); }
  function handle(a){ if(a[0]==='config'||a[0]==='init'){ ids.push(a[1]); fire(a[1],'pageview'); }
    else if(a[0]==='event'){ fire(a[1],'event'); } else if(a[0]==='track'){ for(var i=0;i<ids.length;i++) fire(ids[i],a[1]); } }
  s.exe=function(){ handle(arguments); };
  var q=s.queue||[]; s.queue=[]; for(var i=0;i<q.length;i++) handle(q[i]);
})();
`;

// X widgets: https://platform.twitter.com/widgets.js — turns share buttons / embedded posts into iframes.
const widgetsJs = () => `/* FAKE widgets.js (sekisho e2e loopback) */
(function(){
  window.__twttrLoaded=true;
  function load(root){ var els=(root||document).querySelectorAll('a.twitter-share-button,a.twitter-follow-button,blockquote.twitter-tweet');
    for(var i=0;i<els.length;i++){ var el=els[i]; if(el.__tw) continue; el.__tw=1; var fr=document.createElement('iframe');
      var a=el.tagName==='A'?el:el.querySelector('a[href*="/status/"]'); var href=a?a.getAttribute('href'):'';
      fr.src=el.tagName==='BLOCKQUOTE'?'https://platform.twitter.com/embed/Tweet.html?id='+encodeURIComponent((href.match(/status\\/(\\d+)/)||[])[1]||'')
        :'https://platform.twitter.com/widgets/tweet_button.html?url='+encodeURIComponent(location.href);
      el.parentNode.replaceChild(fr,el); }
    fetch('https://syndication.twitter.com/settings',{credentials:'include'}).catch(function(){}); }
  var t=window.twttr=window.twttr||{}; var q=(t._e)||[];
  t.widgets={load:load}; t.ready=function(f){ f(t); }; t.events={bind:function(){}};
  load(); for(var i=0;i<q.length;i++) q[i](t); t._e=[];
})();
`;

// LINE Tag: https://d.line-scdn.net/n/line_tag/public/release/v1/lt.js — processes `_ltq`.
const lineTagJs = () => `/* FAKE LINE Tag lt.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  window.__ltLoaded=true;
  var g=window; g._ltq=g._ltq||[]; var inited={};
  function handle(a){ if(a[0]==='init'){ var o=a[1]||{}; inited[o.tagId]=o.customerType||'lap';
      if(!__ck('__lt__cid')) __setck('__lt__cid',__rnd()+'-'+__rnd(),390); }
    else if(a[0]==='send'){ var ids=a[2]||Object.keys(inited); for(var i=0;i<ids.length;i++)
      __img('https://tr.line.me/tag.gif?c_t='+(inited[ids[i]]||'lap')+'&t_id='+encodeURIComponent(ids[i])+'&e='+encodeURIComponent(a[1])
        +'&lt_cid='+(__ck('__lt__cid')||'')+'&url='+encodeURIComponent(location.href)); } }
  var q=g._ltq; g._lt=function(){ handle(arguments); }; for(var i=0;i<q.length;i++) handle(q[i]); g._ltq={push:function(a){handle(a);}};
})();
`;

// Yahoo! JAPAN ads site-general tag: https://s.yimg.jp/images/listing/tool/cv/ytag.js — processes `yjDataLayer`.
const ytagJs = () => `/* FAKE ytag.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  window.__ytagLoaded=true;
  var dl=window.yjDataLayer=window.yjDataLayer||[];
  function handle(a){ var o=a&&a[0]; if(!o||typeof o!=='object') return; var c=o.config||{};
    if(o.type==='ycl_cookie'){ if(!__ck('_ycl_yjad')) __setck('_ycl_yjad','YJAD.'+Math.floor(Date.now()/1000)+'.'+__rnd(),90); }
    else if(o.type==='yss_conversion'){ __img('https://b91.yahoo.co.jp/pagead/conversion/'+encodeURIComponent(c.yahoo_conversion_id||'')
      +'/?label='+encodeURIComponent(c.yahoo_conversion_label||'')+'&value='+encodeURIComponent(c.yahoo_conversion_value||'0')+'&ycl='+(__ck('_ycl_yjad')||'')); }
    else if(o.type==='yjad_retargeting'){ __img('https://b92.yahoo.co.jp/search/?p='+encodeURIComponent(c.yahoo_retargeting_id||'')+'&ref='+encodeURIComponent(location.href)); }
    else if(o.type==='yjad_conversion'){ __img('https://b90.yahoo.co.jp/conv/'+encodeURIComponent(c.yahoo_ydn_conv_io||'')+'?l='+encodeURIComponent(c.yahoo_ydn_conv_label||'')); } }
  var origPush=dl.push; dl.push=function(){ var r=origPush.apply(dl,arguments); for(var i=0;i<arguments.length;i++) handle(arguments[i]); return r; };
  for(var i=0;i<dl.length;i++) handle(dl[i]);
})();
`;

// Yahoo! JAPAN search ads conversion tag, legacy form: https://s.yimg.jp/images/listing/tool/cv/conversion.js — a
// BLOCKING script that reads the globals yahoo_conversion_id / _label / _value set by the inline code before it.
const yjConversionJs = () => `/* FAKE Yahoo! JAPAN conversion.js (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  window.__yjConvLoaded=true;
  __img('https://b91.yahoo.co.jp/pagead/conversion/'+encodeURIComponent(window.yahoo_conversion_id||'')+'/?guid=ON&script=0&disvt=false'
    +'&label='+encodeURIComponent(window.yahoo_conversion_label||'')+'&value='+encodeURIComponent(window.yahoo_conversion_value||0)
    +'&ycl='+(__ck('_ycl_yjad')||''));
})();
`;

// Microsoft Clarity: https://www.clarity.ms/tag/<id>
const clarityJs = (id) => `/* FAKE Clarity ${id} (sekisho e2e loopback) */
(function(){
  ${COOKIE_JS}
  window.__clarityLoaded=true;
  var c=window.clarity; var q=(c&&c.q)||[]; var consent=null;
  function send(){ if(consent!==false){ if(!__ck('_clck')) __setck('_clck',__rnd(),365); }
    fetch('https://x.clarity.ms/collect',{method:'POST',body:JSON.stringify({id:${JSON.stringify(id)},url:location.href}),mode:'no-cors',keepalive:true}).catch(function(){}); }
  window.clarity=function(){ var a=arguments; if(a[0]==='consent'||a[0]==='consentv2'){ consent=a[1]!==false; } };
  for(var i=0;i<q.length;i++) window.clarity.apply(null,q[i]); send();
})();
`;

// YouTube embed document (its own page requests the player script on the same host).
const ytEmbedHtml = (host, id) => `<!doctype html><html><head><meta charset="utf-8"><title>FAKE YouTube embed ${id}</title>
<script src="/s/player/fake.js"></script></head><body style="margin:0;background:#000;color:#fff">
<div id="player" data-video="${id}">FAKE ${host} player for ${id}</div></body></html>`;
const ytPlayerJs = (host) => `/* FAKE YouTube player (${host}) */
window.__ytPlayer=true; try{ parent.postMessage({sekishoFake:'yt-ready',host:${JSON.stringify(host)},href:location.href},'*'); }catch(e){}
`;
// YouTube IFrame API: https://www.youtube.com/iframe_api
const ytIframeApiJs = () => `/* FAKE YouTube iframe_api */
(function(){ window.__ytApiLoaded=true;
  window.YT={Player:function(el,o){ var fr=document.createElement('iframe'); var node=typeof el==='string'?document.getElementById(el):el;
    fr.src='https://www.youtube.com/embed/'+encodeURIComponent((o&&o.videoId)||'')+'?enablejsapi=1'; node.parentNode.replaceChild(fr,node); this.iframe=fr; }, loaded:1};
  if(typeof window.onYouTubeIframeAPIReady==='function') window.onYouTubeIframeAPIReady(); })();
`;

const js = (body) => ({ type: 'js', body });

/** The vendor routes, tried in order. */
export const VENDOR_ROUTES = [
  { host: 'www.googletagmanager.com', path: /^\/gtag\/js$/, handler: (req, u) => js(gtagJs(u.searchParams.get('id') || 'G-MISSING')) },
  { host: 'www.googletagmanager.com', path: /^\/gtm\.js$/, handler: (req, u) => js(gtmJs(u.searchParams.get('id') || 'GTM-MISSING', u.searchParams.get('l'))) },
  { host: 'connect.facebook.net', path: /^\/[a-z]{2}_[A-Z]{2}\/fbevents\.js$/, handler: () => js(fbeventsJs()) },
  { host: 'connect.facebook.net', path: /^\/signals\/config\/\d+$/, handler: () => js('/* FAKE fbevents signals config */') },
  { host: 'connect.facebook.net', path: /^\/[a-z]{2}_[A-Z]{2}\/(sdk|all)\.js$/, handler: (req, u) => js(fbSdkJs(u.pathname.split('/')[1])) },
  { host: '*.facebook.com', path: /^\/x\/oauth\/status$/, handler: () => ({ type: 'json', body: '{"status":"unknown"}' }) },
  { host: '*.facebook.com', path: /^\/plugins\//, handler: (req, u) => ({ type: 'html', body: `<!doctype html><title>FAKE FB plugin</title>${u.pathname}` }) },
  { host: 'bat.bing.com', path: /^\/bat\.js$/, handler: () => js(batJs()) },
  { host: 'static.ads-twitter.com', path: /^\/uwt\.js$/, handler: () => js(uwtJs()) },
  { host: 'platform.twitter.com', path: /^\/widgets\.js$/, handler: () => js(widgetsJs()) },
  { host: 'platform.twitter.com', path: /\.html$/, handler: (req, u) => ({ type: 'html', body: `<!doctype html><title>FAKE X widget</title>${u.pathname}` }) },
  { host: 'd.line-scdn.net', path: /\/lt\.js$/, handler: () => js(lineTagJs()) },
  { host: 's.yimg.jp', path: /\/ytag\.js$/, handler: () => js(ytagJs()) },
  { host: 's.yimg.jp', path: /\/cv\/conversion\.js$/, handler: () => js(yjConversionJs()) },
  { host: 'graph.facebook.com', path: /^\//, handler: (req, u) => ({ type: 'json', body: JSON.stringify({ id: '10000000001', name: 'FAKE Graph API', path: u.pathname }) }) },
  // Server-sent events from a tracker host (one message, and a long retry so the browser does not reconnect in a test).
  { host: '*', path: /^\/(es|events|sse)$/, handler: () => ({ type: 'text/event-stream; charset=utf-8', body: 'retry: 600000\ndata: hello\n\n' }) },
  { host: 'www.clarity.ms', path: /^\/tag\/[^/]+$/, handler: (req, u) => js(clarityJs(u.pathname.split('/')[2])) },
  { host: 'www.youtube.com', path: /^\/iframe_api$/, handler: () => js(ytIframeApiJs()) },
  { host: '*.youtube.com', path: /^\/embed\/[^/]+$/, handler: (req, u) => ({ type: 'html', body: ytEmbedHtml(u.hostname, u.pathname.split('/')[2]),
    headers: { 'set-cookie': 'YSC=fake' + Date.now() + '; Path=/; Secure; SameSite=None; HttpOnly' } }) },
  { host: '*.youtube-nocookie.com', path: /^\/embed\/[^/]+$/, handler: (req, u) => ({ type: 'html', body: ytEmbedHtml(u.hostname, u.pathname.split('/')[2]) }) },
  { host: '*.youtube.com', path: /^\/s\/player\//, handler: (req, u) => js(ytPlayerJs(u.hostname)) },
  { host: '*.youtube-nocookie.com', path: /^\/s\/player\//, handler: (req, u) => js(ytPlayerJs(u.hostname)) },
  // Neutral CDN: any script path runs and says so.
  { host: 'cdn.jsdelivr.net', path: /\.js$/, handler: (req, u) => js(`/* FAKE CDN file ${u.pathname} */ window.__cdnRan=true; (window.__cdnFiles=window.__cdnFiles||[]).push(${JSON.stringify(u.pathname)});`) },
  { host: 'cdn.jsdelivr.net', path: /\.css$/, handler: () => ({ type: 'css', body: '/* FAKE CDN css */' }) },
];

/**
 * Fallback for a tracker host with no specific route: answer like a collection endpoint would, with a
 * Content-Type the resource kind accepts (ORB blocks wrong ones).
 */
export function trackerFallback(req, u) {
  const p = u.pathname;
  const dest = req.headers['sec-fetch-dest'] || '';
  if (/\.js$/.test(p) || dest === 'script') return js(`/* FAKE ${u.hostname}${p} */ (window.__fakeScripts=window.__fakeScripts||[]).push(${JSON.stringify(u.hostname + p)});`);
  if (dest === 'iframe' || dest === 'document' || /\.html?$/.test(p)) return { type: 'html', body: `<!doctype html><title>FAKE ${u.hostname}</title>` };
  if (dest === 'style' || /\.css$/.test(p)) return { type: 'css', body: '' };
  if (dest === 'image' || /\.(gif|png|jpe?g|webp)$/.test(p) || /\/(tr|collect|adsct|action|tag\.gif|conv)/.test(p)) return { type: 'gif', body: GIF };
  return { status: 204, type: 'txt', body: '' };
}
