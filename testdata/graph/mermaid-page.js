// mermaid-page.js OUT.html FILE...: writes a page that renders each Mermaid
// file with the mermaid package (node_modules/ beside OUT.html) and writes
// "OK n of n" or "FAIL" and one line per broken diagram into #result.
'use strict';
const fs = require('fs');
const path = require('path');
const [out, ...files] = process.argv.slice(2);
const skip = new Set(['flowchart', 'subgraph', 'end', 'direction', 'classDef',
	'class', 'linkStyle', 'style', 'title']);
const cases = files.map((f) => {
	const text = fs.readFileSync(f, 'utf8');
	const ids = [];
	for (const line of text.split('\n')) {
		const m = /^\s*([A-Za-z0-9_]+)[([{>]/.exec(line);
		if (m && !skip.has(m[1])) ids.push(m[1]);
	}
	return { name: f, text, ids };
});
// '<' escaped so no diagram text can close the script element
const data = JSON.stringify(cases).replace(/</g, '\\u003c');
fs.writeFileSync(out, `<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script src="node_modules/mermaid/dist/mermaid.min.js"></script>
</head><body><pre id="result">PENDING</pre><div id="out"></div>
<script>
const cases = ${data};
(async () => {
	const errors = [];
	let ok = 0;
	let loaded = true;
	try {
		mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
	} catch (e) {
		errors.push('mermaid did not load: ' + e);
		loaded = false;
	}
	for (let i = 0; loaded && i < cases.length; i++) {
		const c = cases[i];
		try {
			await mermaid.parse(c.text);
			const { svg } = await mermaid.render('d' + i, c.text);
			const missing = c.ids.filter((id) => !svg.includes('-' + id + '-'));
			if (missing.length)
				throw new Error('nodes not drawn: ' + missing.join(' '));
			if (/Syntax error/i.test(svg))
				throw new Error('rendered a syntax error');
			ok++;
		} catch (e) {
			errors.push(c.name + ': ' + String((e && e.message) || e).split('\\n').join(' | '));
		}
	}
	// markers built here so that the script's own text never matches
	const mark = (w) => '\\n@@' + w + '@@\\n';
	document.getElementById('result').textContent = mark('RESULT') +
		(errors.length ? 'FAIL\\n' + errors.join('\\n') + '\\n' : '') +
		'OK ' + ok + ' of ' + cases.length + mark('END');
})();
</script></body></html>
`);
