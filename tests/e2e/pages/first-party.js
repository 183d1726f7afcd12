// Unmarked first-party script: must always run.
window.__firstPartyRan = true;
