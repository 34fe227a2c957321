// surel: progressive enhancement only. Every form works without this file; with it the
// region lists load as a choice is made, the village can be found by typing, and the
// proposed address is checked while it is typed.
document.documentElement.classList.add('js');
// A form sent back with errors: the summary takes the focus (autofocus does it too, but
// not after a restore from the back-forward cache), so a screen reader reads it first.
document.getElementById('galat')?.focus();
const form = document.getElementById('request-form');
if (form) {
  const selects = [...form.querySelectorAll('select[data-level]')];
  const byName = Object.fromEntries(selects.map(s => [s.name, s]));
  const choose = selects[0]?.options[0]?.textContent || '';

  async function fill(select, parent) {
    select.innerHTML = '';
    select.append(new Option(choose, ''));
    if (!parent) return;
    const res = await fetch('/wilayah?induk=' + encodeURIComponent(parent));
    if (!res.ok) return;
    for (const a of await res.json()) select.append(new Option(a.name, a.code));
  }
  function children(name) { return selects.filter(s => s.dataset.parent === name); }
  function clearBelow(name) {
    for (const c of children(name)) { c.innerHTML = ''; c.append(new Option(choose, '')); clearBelow(c.name); }
  }
  for (const s of selects) {
    s.addEventListener('change', async () => {
      clearBelow(s.name);
      for (const c of children(s.name)) await fill(c, s.value);
    });
  }

  // Village type-ahead: a search box above the village list fills all four levels.
  const village = selects.find(s => s.dataset.level === 'village');
  if (village) {
    const box = document.createElement('input');
    box.type = 'search';
    box.id = 'cari-desa';
    box.setAttribute('autocomplete', 'off');
    box.setAttribute('aria-describedby', 'h-' + village.name);
    box.setAttribute('aria-controls', 'hasil-desa');
    box.setAttribute('aria-label', village.labels[0]?.textContent || 'Desa');
    const list = document.createElement('ul');
    list.id = 'hasil-desa';
    list.className = 'typeahead';
    list.setAttribute('role', 'listbox');
    village.before(box, list);
    let timer;
    box.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        list.innerHTML = '';
        const q = box.value.trim();
        if (q.length < 2) return;
        const within = byName.regency?.value || byName.province?.value || '';
        const res = await fetch('/wilayah/cari?q=' + encodeURIComponent(q) + '&dalam=' + encodeURIComponent(within));
        if (!res.ok) return;
        for (const a of await res.json()) {
          const li = document.createElement('li');
          const b = document.createElement('button');
          b.type = 'button';
          b.textContent = a.label;
          b.addEventListener('click', async () => {
            const parts = a.code.split('.');
            const codes = [parts[0], parts.slice(0, 2).join('.'), parts.slice(0, 3).join('.'), a.code];
            const order = ['province', 'regency', 'district', 'village'];
            for (let i = 0; i < order.length; i++) {
              const sel = selects.find(s => s.dataset.level === order[i]);
              if (!sel) continue;
              if (i > 0) await fill(sel, codes[i - 1]);
              sel.value = codes[i];
            }
            list.innerHTML = '';
            box.value = a.name;
            village.focus();
          });
          li.append(b);
          list.append(li);
        }
      }, 250);
    });
  }

  // Live check of the proposed mailbox, with the suggestions one click away.
  const addr = form.querySelector('[data-type="mailbox"] input');
  const live = document.getElementById('addr-live');
  if (addr && live) {
    let t;
    const check = async () => {
      const v = addr.value.trim();
      if (!v) { live.textContent = ''; return; }
      const nip = form.querySelector('input[name="nip"]')?.value.trim() || '';
      const res = await fetch('/permohonan/alamat?alamat=' + encodeURIComponent(v) + '&id=' + form.dataset.request +
        (nip ? '&nip=' + encodeURIComponent(nip) : ''));
      if (!res.ok) return;
      const r = await res.json();
      live.className = 'live ' + (r.ok ? 'ok-text' : 'error');
      // A claim's address says whose the server records it as; a new one, the address.
      live.textContent = r.ok ? '✓ ' + (r.claim ? r.message : r.mailbox + '@' + r.domain) : r.message;
    };
    addr.addEventListener('input', () => { clearTimeout(t); t = setTimeout(check, 400); });
    for (const b of form.querySelectorAll('button.suggestion:not([data-for])')) {
      b.addEventListener('click', e => { e.preventDefault(); addr.value = b.dataset.value; check(); addr.focus(); });
    }
  }
  // Live check of the proposed desa.id name against the registry's rules, the village's
  // name and the names taken; a refused name offers the free names made from the
  // village's. Without JavaScript the suggestions are submit buttons the server fills in.
  const desa = form.querySelector('[data-type="desaid"] input');
  const desaLive = document.getElementById('desaid-live');
  if (desa && desaLive) {
    let t;
    const pick = v => { desa.value = v; checkDesa(); desa.focus(); };
    const checkDesa = async () => {
      const v = desa.value.trim();
      if (!v) { desaLive.textContent = ''; return; }
      const res = await fetch('/permohonan/' + form.dataset.request + '/nama-desa?nama=' + encodeURIComponent(v));
      if (!res.ok) return;
      const r = await res.json();
      if (desa.value.trim() !== v) return; // typed on meanwhile: a newer check follows
      desaLive.className = 'live ' + (r.ok ? 'ok-text' : 'error');
      desaLive.textContent = r.ok ? '✓ ' + r.name + '.' + r.zone : r.message;
      if (r.suggestions && r.suggestions.length) desaLive.append(' ' + desaLive.dataset.suggest);
      for (const s of r.suggestions || []) {
        const b = document.createElement('button');
        b.type = 'button';
        b.className = 'link suggestion';
        b.textContent = s;
        b.addEventListener('click', () => pick(s));
        desaLive.append(' ', b);
      }
    };
    desa.addEventListener('input', () => { clearTimeout(t); t = setTimeout(checkDesa, 400); });
    for (const b of form.querySelectorAll('button.suggestion[data-for]')) {
      b.addEventListener('click', e => { e.preventDefault(); pick(b.dataset.value); });
    }
  }
}

// The captcha hashes with Web Crypto, which browsers give only to secure contexts
// (HTTPS, localhost): served over plain HTTP elsewhere, the widget would spin on
// "Memeriksa…" for ever. Say why instead (the page holds the text in its language).
const insecure = document.getElementById('captcha-insecure');
if (insecure && !(window.isSecureContext && window.crypto && window.crypto.subtle)) {
  document.querySelector('#f-captcha altcha-widget')?.remove();
  document.getElementById('h-captcha')?.remove();
  insecure.hidden = false;
}

// "Salin": copies a shown secret (the new mailbox's password) to the clipboard; where the
// browser gives no clipboard (plain HTTP), the text is selected for a long press.
for (const b of document.querySelectorAll('button[data-copy]')) {
  const el = document.getElementById(b.dataset.copy);
  if (!el) continue;
  b.hidden = false;
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(el.textContent);
      b.textContent = b.dataset.done;
    } catch {
      const r = document.createRange();
      r.selectNodeContents(el);
      const sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(r);
    }
  });
}
