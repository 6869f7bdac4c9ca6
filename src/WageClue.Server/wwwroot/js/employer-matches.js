// The intake form's employer warning: as the caseworker types the employer's name or credit code, the employers
// already on record are shown with their open clues, credit records and listing, and one can be confirmed as the
// employer meant (its id goes into the hidden employerId field). A file of its own: the pages allow no inline script.
(function () {
  const name = document.getElementById('employerName');
  const code = document.getElementById('employerCreditCode');
  const chosen = document.getElementById('employerId');
  const box = document.getElementById('employer-matches');
  if (!name || !code || !chosen || !box) return;
  let timer = null;
  let asked = '';

  function text(tag, content, cls) {
    const el = document.createElement(tag);
    el.textContent = content;
    if (cls) el.className = cls;
    return el;
  }

  function render(matches) {
    box.replaceChildren();
    if (matches.length === 0) { box.hidden = true; return; }
    box.hidden = false;
    const withHistory = matches.some(m => m.summary.hasHistory);
    box.appendChild(text('p', withHistory ? '注意：该用人单位已有办理记录' : '系统中已有名称相近的用人单位', withHistory ? 'warning-title' : 'muted'));
    const list = document.createElement('ul');
    for (const m of matches) {
      const s = m.summary;
      const item = document.createElement('li');
      item.dataset.employer = m.id;
      const link = text('a', m.name + (m.creditCode ? '（' + m.creditCode + '）' : '（无信用代码）'));
      link.href = '/employers/' + m.id;
      link.target = '_blank';
      item.appendChild(link);
      const facts = ['线索 ' + s.clues + ' 条，在办 ' + s.openClues + ' 条', '不良行为记录 ' + s.creditRecords + ' 条'];
      if (s.listingCaseNumber) facts.push('失信名单案件 ' + s.listingCaseNumber + '（' + (m.listingStateName || '') + '）');
      item.appendChild(text('div', facts.join('；'), s.hasHistory ? 'warning' : 'muted'));
      const pick = text('button', String(chosen.value) === String(m.id) ? '已确认为同一单位' : '是同一单位', 'secondary small');
      pick.type = 'button';
      pick.addEventListener('click', () => { chosen.value = m.id; render(matches); });
      item.appendChild(pick);
      list.appendChild(item);
    }
    box.appendChild(list);
  }

  async function look() {
    const q = new URLSearchParams();
    if (code.value.trim()) q.set('creditCode', code.value.trim());
    if (name.value.trim().length >= 4) q.set('name', name.value.trim());
    const key = q.toString();
    if (key === asked) return;
    asked = key;
    if (!key) { render([]); return; }
    const response = await fetch('/api/employers/matches?' + key, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (response.ok) render(await response.json());
  }

  function soon() {
    // A changed name or code is another employer until confirmed again.
    chosen.value = '';
    clearTimeout(timer);
    timer = setTimeout(look, 400);
  }
  name.addEventListener('input', soon);
  code.addEventListener('input', soon);
  if (name.value || code.value) look();
})();
