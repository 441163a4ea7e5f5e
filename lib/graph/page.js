// page.js: the script of sfn graph's HTML page (embedded by html.c).
// Reads the page's data (#sfn-data), makes each state node of the SVG
// focusable and clickable, and shows the selected state in the side panel:
// its definition and, for an execution, each visit (Map iteration,
// Parallel branch, redrive attempt) with input, output, error, retries and
// events; draws the execution's timeline. All text goes in as textContent:
// nothing from the data is ever parsed as HTML.
(function () {
	'use strict';
	var data = JSON.parse(document.getElementById('sfn-data').textContent);
	var exec = data.execution;
	var events = exec ? exec.events : [];
	var visits = exec ? exec.visits : [];
	var describe = (exec && exec.describe) || {};
	var panel = document.getElementById('panel');
	var graph = document.getElementById('graph');
	var nodes = {}; // state name -> its SVG <g>
	var rows = []; // timeline row per visit index
	var byState = {}; // state name -> visit indexes
	var selected = null;

	visits.forEach(function (v, i) {
		(byState[v.state] = byState[v.state] || []).push(i);
	});

	// ---- helpers ----
	function el(tag, attrs) {
		var e = document.createElement(tag);
		var k;
		for (k in attrs || {}) {
			if (k === 'text') e.textContent = attrs[k];
			else if (k === 'cls') e.className = attrs[k];
			else e.setAttribute(k, attrs[k]);
		}
		for (k = 2; k < arguments.length; k++) {
			var c = arguments[k];
			if (c === null || c === undefined) continue;
			e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
		}
		return e;
	}
	function time(i) {
		var ev = events[i];
		var t = ev ? Date.parse(ev.timestamp) : NaN;
		return isNaN(t) ? null : t;
	}
	var t0 = Date.parse(describe.startDate);
	if (isNaN(t0)) t0 = events.length ? time(0) : 0;
	var tEnd = Date.parse(describe.stopDate);
	if (isNaN(tEnd)) tEnd = events.length ? time(events.length - 1) : t0;
	if (tEnd === null || tEnd < t0) tEnd = t0;
	function dur(ms) {
		if (ms === null || isNaN(ms)) return '';
		if (ms < 1000) return Math.round(ms) + ' ms';
		if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 3 : 1) + ' s';
		var m = Math.floor(ms / 60000);
		if (m < 60) return m + ' min ' + Math.round((ms % 60000) / 1000) + ' s';
		return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
	}
	function offset(i) {
		var t = time(i);
		return t === null ? '' : '+' + dur(t - t0);
	}
	// JSON text re-indented as JSON.stringify(v, null, 2) would, without
	// parsing its numbers (so 64-bit integers print exactly).
	function reindent(text) {
		var out = [], depth = 0, inStr = false, esc = false;
		function nl() { out.push('\n' + '  '.repeat(depth)); }
		for (var i = 0; i < text.length; i++) {
			var c = text[i];
			if (inStr) {
				out.push(c);
				if (esc) esc = false;
				else if (c === '\\') esc = true;
				else if (c === '"') inStr = false;
				continue;
			}
			if (c === '"') {
				inStr = true;
				out.push(c);
			} else if (c === '{' || c === '[') {
				var j = i + 1;
				while (j < text.length && /\s/.test(text[j])) j++;
				if (text[j] === (c === '{' ? '}' : ']')) {
					out.push(c + text[j]);
					i = j;
					continue;
				}
				depth++;
				out.push(c);
				nl();
			} else if (c === '}' || c === ']') {
				depth--;
				nl();
				out.push(c);
			} else if (c === ',') {
				out.push(',');
				nl();
			} else if (c === ':') {
				out.push(': ');
			} else if (!/\s/.test(c)) {
				out.push(c);
			}
		}
		return out.join('');
	}
	// A payload (JSON text as history holds it, or a value) for display.
	function pretty(v) {
		if (typeof v !== 'string') return JSON.stringify(v, null, 2);
		try {
			JSON.parse(v);
		} catch (e) {
			return v;
		}
		return reindent(v);
	}
	function block(title, text, cls) {
		var h = el('h3', { text: title + ' ' });
		if (navigator.clipboard) {
			var copy = el('button', { type: 'button', cls: 'linkbtn copy', text: 'Copy', 'aria-label': 'Copy ' + title.toLowerCase() });
			copy.addEventListener('click', function () {
				navigator.clipboard.writeText(text).then(function () {
					copy.textContent = 'Copied';
				}, function () {
					copy.textContent = 'Cannot copy';
				});
			});
			h.appendChild(copy);
		}
		return [h, el('pre', { cls: cls || '', text: text })];
	}
	function append(parent, list) {
		list.forEach(function (c) { if (c) parent.appendChild(c); });
	}
	function badge(status) {
		var s = String(status || 'notreached').toLowerCase();
		var text = s === 'notreached' ? 'not reached' : s.replace('_', ' ');
		return el('span', { cls: 'badge b-' + s, text: text });
	}
	function facts(pairs) {
		var dl = el('dl', { cls: 'facts' });
		pairs.forEach(function (p) {
			if (p[1] === null || p[1] === undefined || p[1] === '') return;
			dl.appendChild(el('dt', { text: p[0] }));
			dl.appendChild(el('dd', {}, p[1]));
		});
		return dl;
	}
	function details(ev) {
		for (var k in ev) if (/EventDetails$/.test(k)) return ev[k];
		return null;
	}
	function errorBox(error, cause) {
		if (!error && !cause) return null;
		var box = el('div', { cls: 'error', role: 'group', 'aria-label': 'Error' });
		box.appendChild(el('div', { cls: 'name', text: error || '(no error name)' }));
		if (cause) box.appendChild(el('pre', { cls: 'cause', text: pretty(cause) }));
		return box;
	}
	function isFailure(type) {
		return /(Failed|TimedOut|Aborted)$/.test(type);
	}
	function eventTable(indexes) {
		var table = el('table', { cls: 'events' });
		indexes.forEach(function (i) {
			var ev = events[i];
			if (!ev) return;
			var d = details(ev);
			var body = el('td', { cls: 'type' });
			if (d && Object.keys(d).length) {
				var box = el('details', {}, el('summary', { text: ev.type }));
				var dl = facts(Object.keys(d).map(function (k) {
					var v = d[k];
					var show = typeof v === 'string' ? pretty(v) : JSON.stringify(v, null, 2);
					return [k, show.indexOf('\n') >= 0 ? el('pre', { text: show }) : show];
				}));
				box.appendChild(dl);
				body.appendChild(box);
			} else {
				body.textContent = ev.type;
			}
			table.appendChild(el('tr', { cls: isFailure(ev.type) ? 'ev-fail' : '' },
				el('td', { cls: 't', text: String(ev.id) }),
				el('td', { cls: 't', text: offset(i) }), body));
		});
		return table;
	}

	// ---- selection ----
	function setHash(h) {
		try {
			history.replaceState(null, '', h ? '#' + h : location.pathname + location.search);
		} catch (e) { /* file:// in some browsers */ }
	}
	function mark(name, visit) {
		Object.keys(nodes).forEach(function (n) {
			nodes[n].classList.toggle('sel', n === name);
		});
		rows.forEach(function (r, i) {
			if (!r) return;
			r.classList.toggle('sel', visits[i].state === name);
			r.classList.toggle('current', i === visit);
		});
	}
	function showExecution() {
		selected = null;
		mark(null, -1);
		panel.textContent = '';
		if (!exec) {
			panel.appendChild(el('p', { cls: 'hint', text: 'Select a state (click it, or Tab to it and press Enter) to see its definition.' }));
			return;
		}
		panel.appendChild(el('h2', { text: 'Execution ' + (describe.name || '') }));
		panel.appendChild(el('p', { cls: 'sub' }, badge(describe.status)));
		panel.appendChild(facts([
			['Started', describe.startDate],
			['Stopped', describe.stopDate],
			['Duration', describe.stopDate ? dur(tEnd - t0) : ''],
			['Redrives', describe.redriveCount ? String(describe.redriveCount) : ''],
			['Events', String(events.length)],
			['ARN', describe.executionArn]
		]));
		append(panel, [errorBox(describe.error, describe.cause)]);
		if (describe.input !== undefined) append(panel, block('Input', pretty(describe.input)));
		if (describe.output !== undefined) append(panel, block('Output', pretty(describe.output)));
		var all = el('details', {}, el('summary', { text: 'All ' + events.length + ' events' }));
		all.addEventListener('toggle', function () {
			if (all.open && all.children.length === 1)
				all.appendChild(eventTable(events.map(function (e, i) { return i; })));
		});
		panel.appendChild(el('h3', { text: 'History' }));
		panel.appendChild(all);
	}
	function defaultVisit(name) {
		var list = byState[name] || [];
		for (var i = 0; i < list.length; i++)
			if (visits[list[i]].status === 'failed') return list[i];
		return list.length ? list[list.length - 1] : -1;
	}
	function select(name, visit, focusPanel) {
		var st = data.states[name];
		if (!st) return;
		if (visit === undefined || visit < 0) visit = defaultVisit(name);
		selected = name;
		mark(name, visit);
		setHash('state=' + encodeURIComponent(name));
		panel.textContent = '';
		var m = data.marks[name] || {};
		panel.appendChild(el('h2', { text: name }));
		var sub = el('p', { cls: 'sub' }, (st.type || 'State') + (st.parent ? ' in ' + st.parent : '') + ' ');
		if (exec) sub.appendChild(badge(m.status));
		panel.appendChild(sub);
		if (exec) {
			panel.appendChild(facts([
				['Retries', m.retries ? String(m.retries) : ''],
				['Redriven', m.redrive ? 'attempt ' + (m.redrive + 1) : ''],
				['Iterations', m.note || '']
			]));
			var list = byState[name] || [];
			if (!list.length)
				panel.appendChild(el('p', { cls: 'hint', text: 'Not reached in this execution.' }));
			if (list.length > 1) {
				panel.appendChild(el('h3', { text: list.length + ' visits' }));
				var bar = el('div', { cls: 'visits', role: 'toolbar', 'aria-label': 'Visits' });
				list.slice(0, 500).forEach(function (vi) {
					var v = visits[vi];
					var b = el('button', {
						type: 'button', cls: 'v-' + v.status,
						'aria-pressed': vi === visit ? 'true' : 'false',
						title: v.status + (v.where ? ' · ' + v.where : ''),
						text: (v.where ? v.where.replace(/^.*: /, '') : 'visit') + (v.attempt ? ' (redrive ' + v.attempt + ')' : '')
					});
					b.addEventListener('click', function () {
						select(name, vi, false);
						// the panel was redrawn: keep the focus on the
						// same (new) button
						var again = panel.querySelector('.visits button[aria-pressed=true]');
						if (again) again.focus();
					});
					bar.appendChild(b);
				});
				panel.appendChild(bar);
				if (list.length > 500)
					panel.appendChild(el('p', { cls: 'more', text: (list.length - 500) + ' more visits: pick them in the timeline' }));
			}
			if (visit >= 0) showVisit(visits[visit]);
		}
		var def = el('details', { cls: 'definition' }, el('summary', { text: 'Definition in the state machine' }),
			el('pre', { text: JSON.stringify(st.definition, null, 2) }));
		if (!exec) def.open = true;
		panel.appendChild(def);
		if (focusPanel) panel.focus({ preventScroll: true });
		reveal(rows[visit]);
	}
	// Scrolls the timeline's list (not the page) to show @row.
	function reveal(row) {
		if (!row) return;
		var box = row.parentNode;
		var top = row.offsetTop;
		if (top < box.scrollTop || top + row.offsetHeight > box.scrollTop + box.clientHeight)
			box.scrollTop = Math.max(0, top - box.clientHeight / 2);
	}
	// A Fail state's error, when history does not say it (a Map iteration's
	// failure carries none): its definition's, if written out there.
	function failError(v, st) {
		var d = st && st.definition;
		if (v.error || v.cause || v.status !== 'failed' || !d || st.type !== 'Fail') return [v.error, v.cause];
		return [typeof d.Error === 'string' ? d.Error : undefined, typeof d.Cause === 'string' ? d.Cause : undefined];
	}
	function showVisit(v) {
		var start = time(v.entered);
		var last = v.exited !== null ? v.exited : v.events[v.events.length - 1];
		var end = v.exited !== null ? time(v.exited) : (v.status === 'running' ? null : time(last));
		var sub = el('p', { cls: 'sub' }, (v.where || 'Top level') + ' ', badge(v.status));
		panel.appendChild(el('h3', { text: 'Visit' }));
		panel.appendChild(sub);
		panel.appendChild(facts([
			['Entered', events[v.entered] ? events[v.entered].timestamp + ' (' + offset(v.entered) + ')' : ''],
			['Duration', end !== null && start !== null ? dur(end - start) : ''],
			['Retries', v.retries ? String(v.retries) : ''],
			['Attempt', v.attempt ? 'redrive ' + v.attempt : '']
		]));
		var ec = failError(v, data.states[v.state]);
		var box = errorBox(ec[0], ec[1]);
		if (box) {
			panel.appendChild(el('h3', { text: 'Error' }));
			panel.appendChild(box);
		}
		var inD = details(events[v.entered] || {});
		if (inD && inD.input !== undefined) append(panel, block('Input', pretty(inD.input)));
		var outD = v.exited !== null ? details(events[v.exited] || {}) : null;
		if (outD && outD.output !== undefined) append(panel, block('Output', pretty(outD.output)));
		inside(v);
		panel.appendChild(el('h3', { text: 'Events (' + v.events.length + ')' }));
		panel.appendChild(eventTable(v.events));
	}
	function sameScope(a, b, n) {
		for (var i = 0; i < n; i++)
			if (!a[i] || !b[i] || a[i][0] !== b[i][0] || a[i][1] !== b[i][1]) return false;
		return true;
	}
	// For a Map or Parallel visit: the visits of its iterations or branches,
	// one line each (failed ones first), every state a button.
	var MAX_GROUPS = 200;
	function inside(v) {
		var depth = v.scope.length;
		var groups = {}, order = [];
		visits.forEach(function (w, i) {
			if (w.scope.length !== depth + 1 || w.attempt !== v.attempt ||
				w.scope[depth][0] !== v.state || !sameScope(w.scope, v.scope, depth) ||
				w.entered < v.entered || (v.exited !== null && w.entered > v.exited)) return;
			var key = w.scope[depth][1];
			if (!groups[key]) {
				groups[key] = { index: key, list: [], failed: false };
				order.push(groups[key]);
			}
			groups[key].list.push(i);
			if (w.status === 'failed') groups[key].failed = true;
		});
		if (!order.length) return;
		var isMap = data.states[v.state] && data.states[v.state].type !== 'Parallel';
		order.sort(function (a, b) { return (b.failed - a.failed) || (a.index - b.index); });
		panel.appendChild(el('h3', { text: (isMap ? 'Iterations' : 'Branches') + ' (' + order.length + ')' }));
		var list = el('div', { cls: 'inside' });
		order.slice(0, MAX_GROUPS).forEach(function (g) {
			var line = el('div', { cls: 'group' + (g.failed ? ' g-failed' : '') },
				el('span', { cls: 'k', text: isMap ? 'iteration ' + g.index : 'branch ' + (g.index + 1) }));
			g.list.forEach(function (i, n) {
				var w = visits[i];
				if (n) line.appendChild(document.createTextNode(' \u2192 '));
				var b = el('button', { type: 'button', cls: 'linkbtn v-' + w.status, title: w.status, text: w.state });
				b.addEventListener('click', function () { select(w.state, i, true); });
				line.appendChild(b);
			});
			list.appendChild(line);
		});
		panel.appendChild(list);
		if (order.length > MAX_GROUPS)
			panel.appendChild(el('p', { cls: 'more', text: (order.length - MAX_GROUPS) + ' more: see the timeline' }));
	}

	// ---- the graph's nodes ----
	Object.keys(data.states).forEach(function (name) {
		var st = data.states[name];
		var g = st.id && document.getElementById(st.id);
		if (!g) return;
		var m = data.marks[name];
		var status = exec ? (m ? m.status : 'notreached') : '';
		nodes[name] = g;
		g.classList.add('sfn-state');
		if (status) g.classList.add('st-' + status);
		g.setAttribute('tabindex', '0');
		g.setAttribute('role', 'button');
		g.setAttribute('data-state', name);
		g.setAttribute('aria-label', name + (status ? ', ' + (status === 'notreached' ? 'not reached' : status) : ''));
		var title = g.querySelector('title');
		if (title) title.textContent = name + (status ? ' (' + status + ')' : '');
		g.addEventListener('click', function () { select(name, -1, false); });
		g.addEventListener('keydown', function (e) {
			if (e.key === 'Enter' || e.key === ' ') {
				e.preventDefault();
				select(name, -1, false); // the panel is aria-live
			}
		});
	});
	['sfn_start', 'sfn_end'].forEach(function (id) {
		var g = document.getElementById(id);
		if (!g || !exec) return;
		g.classList.add('sfn-state');
		g.setAttribute('tabindex', '0');
		g.setAttribute('role', 'button');
		g.setAttribute('aria-label', (id === 'sfn_start' ? 'Start' : 'End') + ': execution input and output');
		g.addEventListener('click', showExecution);
		g.addEventListener('keydown', function (e) {
			if (e.key === 'Enter' || e.key === ' ') {
				e.preventDefault();
				showExecution();
			}
		});
	});
	document.addEventListener('keydown', function (e) {
		if (e.key === 'Escape' && selected) showExecution();
	});

	// ---- the header's summary ----
	var summary = document.getElementById('summary');
	if (exec) {
		var btn = el('button', { type: 'button', cls: 'linkbtn', text: 'Execution details' });
		btn.addEventListener('click', showExecution);
		append(summary, [
			el('span', {}, el('span', { cls: 'k', text: 'Execution' }), describe.name || ''),
			badge(describe.status),
			el('span', {}, el('span', { cls: 'k', text: 'Started' }), describe.startDate || ''),
			describe.stopDate ? el('span', {}, el('span', { cls: 'k', text: 'Duration' }), dur(tEnd - t0)) : null,
			describe.redriveCount ? el('span', {}, el('span', { cls: 'k', text: 'Redrives' }), String(describe.redriveCount)) : null,
			describe.error ? el('span', { cls: 'err', text: describe.error }) : null,
			btn
		]);
	}

	// ---- the timeline ----
	var MAX_ROWS = 5000;
	function drawTimeline() {
		var section = document.getElementById('timeline');
		if (!exec || !visits.length) return;
		section.hidden = false;
		var span = Math.max(tEnd - t0, 1);
		section.appendChild(el('h2', { text: 'Timeline (' + visits.length + ' state' + (visits.length === 1 ? '' : 's') + ' entered)' }));
		var legend = el('div', { cls: 'legend' });
		[['succeeded', 'var(--ok)'], ['caught', 'var(--caught)'], ['failed', 'var(--fail)'],
			['aborted', 'var(--abort)'], ['running', 'var(--run)']].forEach(function (p) {
			legend.appendChild(el('span', {}, el('i', { style: 'background:' + p[1] }), p[0]));
		});
		section.appendChild(legend);
		var filter = el('div', { cls: 'filter' });
		var query = el('input', { type: 'search', placeholder: 'Filter by state or iteration', 'aria-label': 'Filter the timeline by state or iteration' });
		var problems = el('input', { type: 'checkbox', id: 'only-problems' });
		filter.appendChild(query);
		filter.appendChild(el('label', {}, problems, ' only failed, caught or aborted'));
		var shown = el('span', { cls: 'more', 'aria-live': 'polite' });
		filter.appendChild(shown);
		section.appendChild(filter);
		function applyFilter() {
			var q = query.value.trim().toLowerCase(), n = 0;
			rows.forEach(function (r, i) {
				var v = visits[i];
				var hide = (q && (v.state + ' ' + v.where).toLowerCase().indexOf(q) < 0) ||
					(problems.checked && !/^(failed|caught|aborted)$/.test(v.status));
				r.hidden = hide;
				if (!hide) n++;
			});
			shown.textContent = q || problems.checked ? n + ' shown' : '';
		}
		query.addEventListener('input', applyFilter);
		problems.addEventListener('change', applyFilter);
		var ticks = el('div', { cls: 'ticks', 'aria-hidden': 'true' });
		[0, 0.25, 0.5, 0.75, 1].forEach(function (f) {
			ticks.appendChild(el('span', { style: 'left:' + f * 100 + '%', text: dur(span * f) }));
		});
		section.appendChild(el('div', { cls: 'axis' }, el('span', { text: 'State' }), ticks, el('span', { text: 'Duration' })));
		var box = el('div', { cls: 'rows', role: 'group', 'aria-label': 'States entered, in order' });
		visits.slice(0, MAX_ROWS).forEach(function (v, i) {
			var s = time(v.entered);
			var last = v.exited !== null ? v.exited : v.events[v.events.length - 1];
			var e = v.exited !== null ? time(v.exited) : (v.status === 'running' ? tEnd : time(last));
			if (s === null) s = t0;
			if (e === null || e < s) e = s;
			var left = (s - t0) / span * 100;
			var width = (e - s) / span * 100;
			var row = el('button', {
				type: 'button', cls: 'row v-' + v.status,
				'data-visit': String(i),
				'aria-label': v.state + (v.where ? ', ' + v.where : '') + ', ' + v.status + ', ' + dur(e - s)
			},
			el('span', { cls: 'label', title: v.state + (v.where ? ' · ' + v.where : '') }, v.state, v.where ? el('small', { text: v.where }) : null),
			el('span', { cls: 'track' }, el('span', { cls: 'bar', style: 'left:' + left.toFixed(3) + '%;width:' + width.toFixed(3) + '%' })),
			el('span', { cls: 'dur', text: dur(e - s) }));
			row.addEventListener('click', function () { select(v.state, i, false); });
			row.addEventListener('keydown', function (ev) {
				var next = ev.key === 'ArrowDown' ? rows[i + 1] : ev.key === 'ArrowUp' ? rows[i - 1] : null;
				if (next) {
					ev.preventDefault();
					next.focus();
				}
			});
			rows[i] = row;
			box.appendChild(row);
		});
		section.appendChild(box);
		// the first failure in view: in a big Map it is far down the list
		for (var f = 0; f < rows.length; f++)
			if (visits[f].status === 'failed') {
				reveal(rows[f]);
				break;
			}
		if (visits.length > MAX_ROWS)
			section.appendChild(el('p', { cls: 'more', text: (visits.length - MAX_ROWS) + ' more not drawn; select their states in the graph' }));
	}
	drawTimeline();

	// ---- zoom, for graphs wider than the window ----
	var svg = graph.querySelector('svg');
	if (svg) {
		var scale = 0;
		var w = svg.width && svg.width.baseVal ? svg.width.baseVal.value : 0;
		var zoom = el('div', { cls: 'zoombar', role: 'toolbar', 'aria-label': 'Zoom' });
		[['Fit', 0], ['100%', 1], ['150%', 1.5]].forEach(function (z) {
			var b = el('button', { type: 'button', text: z[0] });
			b.addEventListener('click', function () {
				scale = z[1];
				graph.classList.toggle('zoom', scale > 0);
				svg.style.width = scale && w ? w * scale + 'px' : '';
			});
			zoom.appendChild(b);
		});
		graph.insertBefore(zoom, svg);
	}

	// ---- first view: #state=NAME, else the execution (or a hint) ----
	var m = /^#state=(.*)$/.exec(location.hash);
	var first = m ? decodeURIComponent(m[1]) : null;
	if (first && data.states[first]) select(first, -1, false);
	else showExecution();
	document.body.setAttribute('data-ready', 'true');
})();
