// Held fire-and-forget requests are not lost: what page code sends before the visitor decides —
// `sendBeacon`, a detached pixel (`new Image().src`), a `fetch` with `keepalive` — waits, in order
// and for this page's life only (up to config `beaconQueue`, policy.beaconQueue), and goes the
// moment its service is allowed (audited `released`). A decision that leaves one held drops it:
// it then fails as a network error would. One queue serves every realm of the page.

/**
 * A kept request: the URL it was judged by, its KIND number, the API it came through, and what
 * sending it and dropping it do.
 * @typedef {{ url: string, kind: number, via: string, send: () => void, drop: () => void }} Hit
 */

/** @param {any} policy */
export function createBeaconQueue(policy) {
  /** @type {Hit[]} */
  var queue = [];
  function run(f) {
    try { f(); } catch (e) { console.error("[sekisho] a held request could not be sent", e); }
  }
  return {
    /** Keeps `hit`; false when the queue is full or off (the caller then fails it now). @param {Hit} hit */
    keep: function (hit) {
      if (!(queue.length < (policy.beaconQueue || 0))) return false;
      queue.push(hit);
      return true;
    },
    /**
     * After a change of the choice: sends, in order, what is allowed now; once the visitor has
     * decided, drops what stays held.
     * @param {boolean} decided
     */
    flush: function (decided) {
      var waiting = queue;
      queue = [];
      waiting.forEach(function (hit) {
        if (policy.releaseHit && policy.releaseHit(hit.url, hit.kind, hit.via)) run(hit.send);
        else if (decided) run(hit.drop);
        else queue.push(hit);
      });
    }
  };
}
