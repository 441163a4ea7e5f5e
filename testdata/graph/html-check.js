// html-check.js CHROMIUM PAGE.html SHOT.png FAILED ERROR CAUSE MAPSTATE:
// opens the execution page of `sfn graph --format html --execution` from
// its file in headless Chromium, driven over the DevTools protocol on a pipe
// (--remote-debugging-pipe: no port, no npm package, no browser download),
// and checks what a user would do with it:
//   - the page loads with no script error, no console error, no dialog (a
//     payload holding </script><script>alert(1)</script> stays data) and no
//     request beyond the page's own file;
//   - the state FAILED is drawn failed; a real mouse click on its node
//     shows it in the panel with ERROR and CAUSE;
//   - a node reached with the keyboard (focus, Enter) opens too;
//   - the timeline has a row per visit; clicking the last iteration of
//     MAPSTATE (a state inside a Map) selects that iteration;
// then saves a screenshot of the failed state selected to SHOT.png.
// Prints one line per check and "N passed, N failed".
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, page, shot, failedState, wantError, wantCause, mapState] =
	process.argv.slice(2);
if (!mapState) {
	console.log('usage: html-check.js CHROMIUM PAGE SHOT FAILED ERROR CAUSE MAPSTATE');
	process.exit(2);
}
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'sfn-html-check.'));
const browser = spawn(chromium, [
	'--headless', '--no-sandbox', '--disable-gpu', '--remote-debugging-pipe',
	'--no-first-run', '--no-default-browser-check', '--disable-extensions',
	'--disable-background-networking', '--disable-component-update',
	'--disable-sync', '--hide-scrollbars', '--user-data-dir=' + profile,
	'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
let stderr = '';
browser.stderr.on('data', (d) => { stderr += d; });

let passed = 0, failed = 0;
function check(name, ok, detail) {
	if (ok) {
		passed++;
		console.log('ok: ' + name);
	} else {
		failed++;
		console.log('FAIL: ' + name + (detail !== undefined ? ': ' + detail : ''));
	}
}
let finishing = false;
function finish(code) {
	if (finishing) return;
	finishing = true;
	console.log(passed + ' passed, ' + failed + ' failed');
	// the profile is removed once Chromium has stopped writing to it
	const done = () => {
		try {
			fs.rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
		} catch (e) { /* a temporary directory left behind is no failure */ }
		process.exit(code);
	};
	if (browser.exitCode !== null || browser.signalCode !== null) return done();
	browser.once('exit', done);
	browser.kill('SIGKILL');
}
const timer = setTimeout(() => {
	check('finished within 120 s', false, stderr.split('\n').slice(-10).join(' | '));
	finish(1);
}, 120000);
browser.on('error', (e) => {
	check('chromium starts', false, e.message + ' (apt-get install chromium)');
	finish(1);
});
browser.on('exit', (code) => {
	if (pending.size && !finishing) {
		check('chromium keeps running', false, 'exited with ' + code + ': ' + stderr.slice(-500));
		finish(1);
	}
});

// ---- the DevTools protocol over fds 3 (to Chromium) and 4 (from it) ----
const toBrowser = browser.stdio[3], fromBrowser = browser.stdio[4];
let nextId = 1, buf = '';
const pending = new Map();
const listeners = [];
fromBrowser.on('data', (chunk) => {
	buf += chunk.toString('utf8');
	let end;
	while ((end = buf.indexOf('\0')) >= 0) {
		const msg = JSON.parse(buf.slice(0, end));
		buf = buf.slice(end + 1);
		if (msg.id && pending.has(msg.id)) {
			const { resolve, reject, method } = pending.get(msg.id);
			pending.delete(msg.id);
			if (msg.error) reject(new Error(method + ': ' + msg.error.message));
			else resolve(msg.result);
		} else if (msg.method) {
			listeners.forEach((l) => l(msg));
		}
	}
});
function send(method, params, sessionId) {
	const id = nextId++;
	const msg = { id, method, params: params || {} };
	if (sessionId) msg.sessionId = sessionId;
	toBrowser.write(JSON.stringify(msg) + '\0');
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
function waitFor(pred, ms) {
	return new Promise((resolve, reject) => {
		const t = setTimeout(() => reject(new Error('timed out')), ms);
		listeners.push((m) => { if (pred(m)) { clearTimeout(t); resolve(m); } });
	});
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

(async () => {
	const url = 'file://' + path.resolve(page);
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const s = (m, p) => send(m, p, sessionId);
	const errors = [], requests = [], dialogs = [];
	listeners.push((m) => {
		if (m.sessionId !== sessionId) return;
		if (m.method === 'Runtime.exceptionThrown')
			errors.push(m.params.exceptionDetails.exception
				? m.params.exceptionDetails.exception.description
				: m.params.exceptionDetails.text);
		if (m.method === 'Runtime.consoleAPICalled' && m.params.type === 'error')
			errors.push('console.error: ' + m.params.args.map((a) => a.value).join(' '));
		if (m.method === 'Log.entryAdded' && m.params.entry.level === 'error')
			errors.push('log: ' + m.params.entry.text);
		if (m.method === 'Network.requestWillBeSent' && m.params.request.url !== url)
			requests.push(m.params.request.url);
		if (m.method === 'Page.javascriptDialogOpening') {
			dialogs.push(m.params.message);
			s('Page.handleJavaScriptDialog', { accept: true }).catch(() => {});
		}
	});
	await s('Page.enable');
	await s('Runtime.enable');
	await s('Log.enable');
	await s('Network.enable');
	await s('Emulation.setDeviceMetricsOverride',
		{ width: 1440, height: 1000, deviceScaleFactor: 1, mobile: false });
	const loaded = waitFor((m) => m.sessionId === sessionId && m.method === 'Page.loadEventFired', 30000);
	await s('Page.navigate', { url });
	await loaded;
	const evaluate = async (expr) => {
		const r = await s('Runtime.evaluate', { expression: expr, returnByValue: true, awaitPromise: true });
		if (r.exceptionDetails) throw new Error('evaluate ' + expr + ': ' + r.exceptionDetails.text);
		return r.result.value;
	};
	// Polls @expr until true (the machine may be busy): false after 10 s.
	const until = async (expr) => {
		for (let i = 0; i < 200; i++) {
			if (await evaluate(expr)) return true;
			await sleep(50);
		}
		return false;
	};
	const titled = (name) => `(document.querySelector('#panel h2') || {}).textContent === ${JSON.stringify(name)}`;
	check('page script ran (data-ready)', await until("document.body.dataset.ready === 'true'"));
	const info = await evaluate(`(() => {
		const d = JSON.parse(document.getElementById('sfn-data').textContent);
		return {
			failed: [...document.querySelectorAll('g.sfn-state.st-failed')].map((g) => g.dataset.state),
			states: Object.keys(d.states).length,
			nodes: document.querySelectorAll('g.sfn-state[data-state]').length,
			rows: document.querySelectorAll('#timeline .row').length,
			visits: d.execution ? d.execution.visits.length : -1,
			scripts: document.scripts.length,
		};
	})()`);
	check('every state is a clickable node', info.nodes === info.states && info.states > 0,
		info.nodes + ' nodes for ' + info.states + ' states');
	check('the failed state is drawn failed', info.failed.includes(failedState),
		'failed nodes: ' + JSON.stringify(info.failed));
	check('the timeline has a row per visit', info.rows === info.visits && info.rows > 0,
		info.rows + ' rows, ' + info.visits + ' visits');
	check('the page has exactly its two scripts (no payload became one)', info.scripts === 2,
		info.scripts + ' scripts');

	// A real click in the middle of the failed state's node.
	async function clickAt(selector) {
		const box = await evaluate(`(() => {
			const e = document.querySelector(${JSON.stringify(selector)});
			if (!e) return null;
			e.scrollIntoView({ block: 'center', inline: 'center' });
			const r = e.getBoundingClientRect();
			return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
		})()`);
		if (!box) return false;
		for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased'])
			await s('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
		return true;
	}
	const panel = () => evaluate(`(() => {
		const p = document.getElementById('panel');
		const name = p.querySelector('.error .name');
		const cause = p.querySelector('.error .cause');
		const h2 = p.querySelector('h2');
		return { title: h2 ? h2.textContent : '', error: name ? name.textContent : '',
			cause: cause ? cause.textContent : '', text: p.textContent };
	})()`);
	const failedSel = `g.sfn-state[data-state=${JSON.stringify(failedState)}]`;
	check('click the failed state', await clickAt(failedSel), 'no node ' + failedSel);
	await until(titled(failedState));
	let p = await panel();
	check('the panel shows the failed state', p.title === failedState, JSON.stringify(p.title));
	check('the panel shows its error', p.error === wantError, JSON.stringify(p.error));
	check('the panel shows its cause', p.cause.includes(wantCause), JSON.stringify(p.cause));
	check('the failed node is selected',
		await evaluate(`document.querySelector(${JSON.stringify(failedSel)}).classList.contains('sel')`));
	check('the panel shows the retries',
		/Retries\s*\d/.test(p.text), p.text.slice(0, 200));
	await evaluate('window.scrollTo(0, 0)');
	// (the pointer off the graph, so no node shows a hover outline)
	await s('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 1, y: 1 });
	await sleep(200);
	const png = await s('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true });
	fs.writeFileSync(shot, Buffer.from(png.data, 'base64'));
	check('screenshot saved', fs.statSync(shot).size > 10000, shot);

	// The keyboard: Tab from the top of the page to the first state node,
	// then Enter.
	await evaluate('document.activeElement && document.activeElement.blur(), window.scrollTo(0, 0)');
	let first = null;
	for (let i = 0; i < 15 && first === null; i++) {
		await s('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9 });
		await s('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Tab', code: 'Tab', windowsVirtualKeyCode: 9 });
		first = await evaluate("(document.activeElement && document.activeElement.dataset && document.activeElement.dataset.state) || null");
	}
	check('Tab reaches a state node', first !== null);
	await s('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });
	await s('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 });
	await until(titled(first));
	p = await panel();
	check('Enter on a focused node opens it', p.title === first, JSON.stringify([p.title, first]));

	// The timeline: the last iteration of the state inside the Map.
	const rowSel = await evaluate(`(() => {
		const rows = [...document.querySelectorAll('#timeline .row')];
		const d = JSON.parse(document.getElementById('sfn-data').textContent).execution.visits;
		let last = -1;
		rows.forEach((r, i) => { if (d[+r.dataset.visit].state === ${JSON.stringify(mapState)}) last = i; });
		return last < 0 ? null : '#timeline .row[data-visit="' + rows[last].dataset.visit + '"]';
	})()`);
	check('the timeline has ' + mapState, rowSel !== null);
	if (rowSel) {
		await clickAt(rowSel);
		await until(`document.querySelector(${JSON.stringify(rowSel)}).classList.contains('current')`);
		const where = await evaluate(`document.querySelector(${JSON.stringify(rowSel)}).querySelector('small').textContent`);
		p = await panel();
		check('a timeline row selects its state', p.title === mapState, JSON.stringify(p.title));
		check('... and that iteration', p.text.includes(where) &&
			await evaluate(`document.querySelector(${JSON.stringify(rowSel)}).classList.contains('current')`), where);
		check('... whose input is shown', /Input\s*(Copy)?\{/.test(p.text), p.text.slice(0, 300));
	}
	// The timeline's filter: the Map's state by name, then only problems.
	const visible = `[...document.querySelectorAll('#timeline .row')].filter((r) => !r.hidden).map((r) => r.querySelector('.label').firstChild.textContent)`;
	await evaluate(`(() => { const q = document.querySelector('#timeline input[type=search]');
		q.value = ${JSON.stringify(mapState)}; q.dispatchEvent(new Event('input')); })()`);
	const byName = await evaluate(visible);
	check('the timeline filters by name', byName.length > 0 && byName.every((n) => n.includes(mapState)),
		JSON.stringify(byName));
	await evaluate(`(() => { const q = document.querySelector('#timeline input[type=search]');
		q.value = ''; q.dispatchEvent(new Event('input'));
		document.getElementById('only-problems').click(); })()`);
	const problems = await evaluate(visible);
	check('... and to the problems', problems.includes(failedState) && problems.length < info.rows,
		JSON.stringify(problems));
	// Escape goes back to the execution.
	await s('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
	await s('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Escape', code: 'Escape', windowsVirtualKeyCode: 27 });
	await until("(document.querySelector('#panel h2') || {}).textContent.startsWith('Execution')");
	p = await panel();
	check('Escape shows the execution', p.title.startsWith('Execution') && p.error === wantError,
		JSON.stringify([p.title, p.error]));

	check('no script errors', errors.length === 0, errors.join(' | '));
	check('no dialogs (payloads stay data)', dialogs.length === 0, dialogs.join(' | '));
	check('nothing fetched', requests.length === 0, requests.join(' '));
	clearTimeout(timer);
	console.log('screenshot: ' + path.resolve(shot));
	finish(failed ? 1 : 0);
})().catch((e) => {
	check('drive chromium', false, e.stack || String(e));
	finish(1);
});
