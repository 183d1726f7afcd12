// Cookies: `document.cookie` and `cookieStore.set` drop the cookies of services not allowed
// (the catalog's cookie names; the policy decides: src/cookie.rs).
import { wrap, wrapSetter, apply, call, str } from "./natives.js";

/** @param {any} r the realm (index.js) */
export function guardCookies(r) {
  var win = r.win, policy = r.policy;
  wrapSetter(r.natives.D, "cookie", function (nativeSet) {
    return function (value) {
      value = str(value); // read once: the write judged is the one made
      if (policy.cookie(value, "document.cookie")) call(nativeSet, this, value);
    };
  });
  // cookieStore.set: the same rule, for tags that write cookies through the Cookie Store API.
  // A refused write resolves as if it had been done (as a dropped document.cookie write).
  if (win.CookieStore) {
    wrap(win.CookieStore.prototype, "set", function (orig) {
      return function (name, value) {
        var o = name && typeof name === "object" ? name : { name: name, value: value };
        var deletion = o.expires != null && o.expires <= Date.now();
        if (!deletion && !policy.cookie(str(o.name) + "=" + str(o.value), "cookieStore.set")) return Promise.resolve();
        return apply(orig, this, arguments);
      };
    });
  }
}
