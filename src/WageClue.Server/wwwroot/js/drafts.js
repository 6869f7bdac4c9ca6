// What a caseworker typed survives the end of their session. Every change to a form that posts is kept in this
// tab's sessionStorage (never passwords, hidden fields or files). A form posted after the session ended is sent to
// the login page and, after the login, back to this page: only then are the values put back, with a notice.
// Any other visit drops the kept values, so an old draft never reappears after a successful save.
(function () {
    var key = 'wageclue.draft:' + location.pathname;
    var forms = Array.prototype.filter.call(document.querySelectorAll('form[method="post"]'),
        function (f) { return !f.closest('.logout') && !f.querySelector('input[type="password"]'); });
    function formKey(form, i) { return (form.getAttribute('action') || '') + '#' + i; }
    function kept(field) {
        return field.name && !/^(hidden|password|file|submit|button)$/.test(field.type) && field.name !== '__RequestVerificationToken';
    }
    function save() {
        var draft = {};
        forms.forEach(function (form, i) {
            var values = {};
            Array.prototype.forEach.call(form.elements, function (field) {
                if (!kept(field)) return;
                if (field.type === 'checkbox' || field.type === 'radio') { if (field.checked) values[field.name + '=' + field.value] = true; }
                else if (field.value) values[field.name] = field.value;
            });
            if (Object.keys(values).length) draft[formKey(form, i)] = values;
        });
        try { sessionStorage.setItem(key, JSON.stringify(draft)); } catch (e) { /* private mode: nothing kept */ }
    }
    function restore(draft) {
        var restored = false;
        forms.forEach(function (form, i) {
            var values = draft[formKey(form, i)];
            if (!values) return;
            Array.prototype.forEach.call(form.elements, function (field) {
                if (!kept(field)) return;
                if (field.type === 'checkbox' || field.type === 'radio') field.checked = !!values[field.name + '=' + field.value];
                else if (values[field.name] !== undefined) field.value = values[field.name];
            });
            for (var d = form.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
            restored = true;
        });
        if (restored) {
            var notice = document.createElement('p');
            notice.className = 'flash';
            notice.setAttribute('role', 'status');
            notice.textContent = '已恢复登录过期前填写的内容，请检查后重新提交。';
            document.querySelector('main').prepend(notice);
        }
    }
    var stored = null;
    try { stored = JSON.parse(sessionStorage.getItem(key) || 'null'); } catch (e) { stored = null; }
    var fromLogin = document.referrer && new URL(document.referrer).pathname === '/login';
    if (stored && fromLogin) restore(stored);
    else sessionStorage.removeItem(key);
    forms.forEach(function (form) {
        form.addEventListener('input', save);
        form.addEventListener('change', save);
    });
})();
