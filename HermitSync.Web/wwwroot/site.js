// Progressive enhancement only: every page works without this script.
// - Search as you type: the page itself answers the query, and only its results are swapped in.
// - Live regions: an element with data-live="seconds" is refreshed from the same page.
// - A field with data-select-on-focus selects its text when focused, ready to copy.
// Handlers live here, never in the markup: the page's Content-Security-Policy refuses inline script.
(() => {
  const offline = document.getElementById('offline');

  async function refresh(url, ids) {
    try {
      const response = await fetch(url, { headers: { Accept: 'text/html' }, credentials: 'same-origin' });
      if (!response.ok && response.status < 500) return;
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const id of ids) {
        const fresh = page.getElementById(id);
        const current = document.getElementById(id);
        if (fresh && current) current.replaceWith(fresh);
      }
      offline.hidden = response.ok;
    } catch {
      offline.hidden = false;
    }
  }

  const search = document.querySelector('input[data-search]');
  if (search) {
    let timer;
    search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const url = new URL(location.href);
        url.searchParams.delete('cursor');
        if (search.value.trim()) url.searchParams.set('q', search.value); else url.searchParams.delete('q');
        history.replaceState(null, '', url);
        refresh(url, [search.dataset.search]);
      }, 200);
    });
  }

  for (const field of document.querySelectorAll('[data-select-on-focus]')) {
    field.addEventListener('focus', () => field.select());
  }

  for (const region of document.querySelectorAll('[data-live]')) {
    const seconds = Math.max(1, Number(region.dataset.live) || 3);
    setInterval(() => { if (!document.hidden) refresh(location.href, [region.id]); }, seconds * 1000);
  }
})();
