// Idle sessions end on the server after data-idle-seconds without activity (Auth:IdleTimeout). Two minutes before,
// this says so and offers to go on; typing in a long form counts as activity (a ping at most every 5 minutes), so a
// caseworker writing a report is not logged out. At the end it goes to the login page, which says why.
(function () {
    var seconds = parseInt(document.body.getAttribute('data-idle-seconds'), 10);
    if (!seconds) return;
    var warnBefore = Math.min(120, Math.floor(seconds / 2));
    var lastActivity = Date.now();
    var lastPing = Date.now();
    var banner = null;

    function ping() {
        lastPing = lastActivity = Date.now();
        fetch('/account/keepalive', { credentials: 'same-origin', cache: 'no-store' });
        hide();
    }
    function hide() {
        if (banner) { banner.remove(); banner = null; }
    }
    function show() {
        if (banner) return;
        banner = document.createElement('div');
        banner.className = 'idle-warning';
        banner.setAttribute('role', 'alertdialog');
        banner.setAttribute('aria-live', 'assertive');
        var text = document.createElement('p');
        text.textContent = '您已较长时间未操作，为保护个人信息，系统将在 2 分钟内自动退出登录。';
        var button = document.createElement('button');
        button.type = 'button';
        button.textContent = '继续使用';
        button.addEventListener('click', ping);
        banner.appendChild(text);
        banner.appendChild(button);
        document.body.appendChild(banner);
        button.focus();
    }
    document.addEventListener('input', function () {
        lastActivity = Date.now();
        if (Date.now() - lastPing > 5 * 60 * 1000) ping();
    }, true);
    setInterval(function () {
        var idle = (Date.now() - Math.max(lastActivity, lastPing)) / 1000;
        if (idle >= seconds) {
            location.href = '/login?idle=true&ReturnUrl=' + encodeURIComponent(location.pathname + location.search);
        } else if (idle >= seconds - warnBefore) {
            show();
        }
    }, 5000);
    window.wageclueIdle = { show: show, ping: ping };
})();
