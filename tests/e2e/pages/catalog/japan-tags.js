// The snippets of pages/catalog/japan.html as a tag manager's container holds them: text in a script, never
// markup the browser's preload scanner could read (Firefox's reads <template> content), inserted by customHtml().
window.JAPAN_TAGS = `
<!-- MicroAd COMPASS -->
<script type="text/javascript">var microadCompass = microadCompass || {}; microadCompass.queue = microadCompass.queue || [];</script>
<script type="text/javascript" charset="UTF-8" src="//j.microad.net/js/compass.js" async></script>
<!-- Red for Publishers (FreakOut) -->
<script src="https://js.rfp.fout.jp/rfp-infeed.js" async></script>
<!-- fluct -->
<script async src="https://pdn.adingo.jp/p.js"></script>
<!-- GENIEE SSP -->
<script type="text/javascript" src="https://js.gsspcln.jp/t/234/567/a1234567.js" async></script>
<!-- AD EBiS -->
<script type="text/javascript">(function(a,d,e,b,i,s){ window[i]=window[i]||[];var f=function(a,d,e,b,i,s){var o=a.getElementsByTagName(d)[0],h=a.createElement(d),t='text/javascript';h.type=t;h.async=e;h._p=o;return h;},h=f(a,d,e,b,i,s),l='//taj',j=b+s+'/cmt.js';h.src=l+'1.'+j;h._p.parentNode.insertBefore(h,h._p);})(document,'script',true,'ebis.ne.jp/','ebis','ABCDEFGH');</script>
<!-- A8.net -->
<span id="a8sales"></span>
<script src="//statics.a8.net/a8sales/a8sales.js" async></script>
<!-- ValueCommerce -->
<script type="text/javascript" language="javascript">var vc_pid = "887000000";</script>
<script type="text/javascript" src="//aml.valuecommerce.com/vcdal.js" async></script>
<!-- i-mobile -->
<div id="im-1234567"><script async src="https://imp-adedge.i-mobile.co.jp/script/v1/spot.js?20220104"></script></div>
<!-- Treasure Data -->
<script type="text/javascript">!function(t,e){if(void 0===e[t]){e[t]=function(){e[t].clients.push(this),this._init=[Array.prototype.slice.call(arguments)]},e[t].clients=[];for(var r=function(t){return function(){return this["_"+t]=this["_"+t]||[],this["_"+t].push(Array.prototype.slice.call(arguments)),this}},s=["collectTags","addRecord","trackEvent","trackPageview","ready"],c=0;c<s.length;c++){var o=s[c];e[t].prototype[o]=r(o)}var n=document.createElement("script");n.type="text/javascript",n.async=!0,n.src="https://cdn.treasuredata.com/sdk/4.4/td.min.js";var i=document.getElementsByTagName("script")[0];i.parentNode.insertBefore(n,i)}}("Treasure",this);</script>
<!-- KARTE -->
<script>!function(n){if(!window[n]){var o=window[n]=function(){var n=[].slice.call(arguments);return o.x?o.x.apply(0,n):o.q.push(n)};o.q=[],o.i=Date.now(),o.allow=function(){o.o="allow"},o.deny=function(){o.o="deny"}}}("krt")</script>
<script async src="https://cdn-edge.karte.io/0123456789abcdef/edge.js"></script>
<!-- popIn -->
<script type="text/javascript">(function() { var pa = document.createElement('script'); pa.type = 'text/javascript'; pa.charset = "utf-8"; pa.async = true; pa.src = window.location.protocol + "//api.popin.cc/searchbox/example.js"; var s = document.getElementsByTagName('script')[0]; s.parentNode.insertBefore(pa, s); })();</script>
<!-- LOGLY lift -->
<script charset="UTF-8">(function(){var _lgy_lw = document.createElement("script");_lgy_lw.type = "text/javascript";_lgy_lw.charset = "UTF-8";_lgy_lw.async = true;_lgy_lw.src= "https://l.logly.co.jp/lift_widget.js?adspot_id=4000000";var _lgy_lw_0 = document.getElementsByTagName("script")[0];_lgy_lw_0.parentNode.insertBefore(_lgy_lw, _lgy_lw_0);})();</script>
<!-- SmartNews Ads -->
<script>!function(){if(window.SmartnewsAds=window.SmartnewsAds||{},!window.SmartnewsAds.p){var e=window.SmartnewsAds.p=function(){e.callMethod?e.callMethod.apply(e,arguments):e.queue.push(arguments)};e.push=e,e.version="1.0.1",e.queue=[];var n=document.createElement("script");n.async=!0,n.src="//cdn.smartnews-ads.com/i/pixel.js";var s=document.getElementsByTagName("script")[0];s.parentNode.insertBefore(n,s)}}();SmartnewsAds.p("1a2b3c", "PageView");</script>
<!-- User Insight -->
<script type="text/javascript">var _uic = _uic ||{}; var _uih = _uih ||{};_uih['id'] = 55555;_uih['lg_id'] = '';_uih['fb_id'] = '';_uih['tw_id'] = '';_uic['uls'] = 1;
(function() {var bi = document.createElement('script');bi.type = 'text/javascript'; bi.async = true;bi.src = '//cs.nakanohito.jp/b3/bi.js';var s = document.getElementsByTagName('script')[0];s.parentNode.insertBefore(bi, s);})();</script>
<!-- Ptengine -->
<script src="https://js.ptengine.jp/abcdefgh.js" async></script>
<!-- Mieruca -->
<script type="text/javascript" id="mierucajs">window.__fid = window.__fid || [];__fid.push([123456789]);(function() {function mieruca(){if(typeof window.__fjsld != "undefined") return; window.__fjsld = 1; var fjs = document.createElement('script'); fjs.type = 'text/javascript'; fjs.async = true; fjs.id = "fjssync"; var timestamp = new Date;fjs.src = ('https:' == document.location.protocol ? 'https' : 'http') + '://hm.mieru-ca.com/service/js/mieruca-hm.js?v='+ timestamp.getTime(); var x = document.getElementsByTagName('script')[0]; x.parentNode.insertBefore(fjs, x); };setTimeout(mieruca, 500); document.readyState != "complete" ? (window.attachEvent ? window.attachEvent("onload", mieruca) : window.addEventListener("load", mieruca, false)) : mieruca();})();</script>
<!-- はてなブックマークボタン -->
<a href="https://b.hatena.ne.jp/entry/" class="hatena-bookmark-button" data-hatena-bookmark-layout="basic-label-counter" data-hatena-bookmark-lang="ja" title="このエントリーをはてなブックマークに追加"><img src="https://b.st-hatena.com/images/v4/public/entry-button/button-only@2x.png" alt="このエントリーをはてなブックマークに追加" width="20" height="20" style="border: none;" /></a>
<script type="text/javascript" src="https://b.st-hatena.com/js/bookmark_button.js" charset="utf-8" async="async"></script>
`;
