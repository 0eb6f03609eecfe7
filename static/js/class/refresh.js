// A refresh every `period` ms while the tab is shown: one call in flight at a time (a slow
// answer delays the next, never piles them up), nothing while the tab is hidden, and one
// at once when it is shown again.

export class Refresher {
  constructor(run, period = 2000) {
    this.run = run;          // async (tick) => ...; tick counts the refreshes from 0
    this.period = period;
    this.tick = 0;
    this.timer = null;
    this.running = false;
    this.busy = false;
    document.addEventListener("visibilitychange", () => {
      if (!this.running) return;
      if (document.hidden) this.clear();
      else this.now();
    });
  }

  start() {
    this.running = true;
    this.now();
  }

  stop() {
    this.running = false;
    this.clear();
  }

  clear() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  // Refresh now (and then every period from this one).
  async now() {
    this.clear();
    if (!this.running || document.hidden) return;
    if (this.busy) { this.again = true; return; }
    this.busy = true;
    try {
      await this.run(this.tick++);
    } finally {
      this.busy = false;
      if (this.running && !document.hidden) {
        if (this.again) { this.again = false; this.now(); }
        else this.timer = setTimeout(() => this.now(), this.period);
      }
    }
  }
}
