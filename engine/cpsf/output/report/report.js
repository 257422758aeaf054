// cpsf report: builds the page from the documents embedded in #cpsf-data (results.json,
// compare.json, optimise.json as cpsf wrote them) and draws the charts with Vega.
//
// Every number shown comes from a document, in a <span class="num"> that carries the
// document (data-src), the JSON pointer of the value (data-key), the exact value
// (data-value) and how it is formatted (data-format): tests/python/test_report_browser.py
// reads them from the DOM and holds them to the files. Text from the scenario (ids, names)
// only ever goes through textContent, never through HTML.
(function () {
  'use strict';

  const DATA = JSON.parse(document.getElementById('cpsf-data').textContent);
  const root = document.getElementById('report');
  const pending = [];  // Vega views being drawn; the page is ready when all are

  // ---- DOM helpers ------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v !== undefined && v !== null) node.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }
  function ptr(...parts) {
    return parts.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  }
  function isNum(v) { return typeof v === 'number' && Number.isFinite(v); }
  // An asset's or enterprise's place in the file: the page may hold only some of them
  // (report_html.cpp keeps "_index" then), and its pointers name the file's places.
  function at(item, i) { return item && Number.isInteger(item._index) ? item._index : i; }

  // ---- numbers for people -----------------------------------------------------------------
  const grouped0 = new Intl.NumberFormat('en-US', {maximumFractionDigits: 0});
  const grouped2 = new Intl.NumberFormat('en-US', {minimumFractionDigits: 2, maximumFractionDigits: 2});
  function plainSignificant(v, digits) {
    // 3 significant digits without an exponent down to 1e-6, then with one.
    if (v === 0) return '0';
    if (Math.abs(v) < 1e-6) return v.toExponential(digits - 1);
    return String(Number(v.toPrecision(digits)));
  }
  function amount(v) {
    if (!isNum(v)) return '—';
    const a = Math.abs(v);
    if (a >= 100) return grouped0.format(v);
    if (a >= 1) return grouped2.format(v);
    return plainSignificant(v, 3);
  }
  function percent(p) {
    if (!isNum(p)) return '—';
    return plainSignificant(p * 100, 3) + '%';
  }
  const FORMATS = {
    money: (v, cur) => (isNum(v) ? amount(v) + (cur ? ' ' + cur : '') : '—'),
    prob: percent,
    count: (v) => (isNum(v) ? grouped0.format(v) : '—'),
    number: (v) => (isNum(v) ? amount(v) : '—'),
    ratio: (v) => (isNum(v) ? plainSignificant(v, 3) : '—'),
  };
  // A number from document `src` at JSON pointer `key`.
  function num(src, key, value, format, currency) {
    const text = FORMATS[format](value, currency);
    return el('span', {class: 'num', 'data-src': src, 'data-key': key, 'data-format': format,
      'data-value': isNum(value) ? String(value) : 'null'}, text);
  }
  function interval(src, key, pair, format, currency) {
    if (!Array.isArray(pair)) return '—';
    return el('span', {class: 'ci'}, num(src, key + '/0', pair[0], format), ' – ',
      num(src, key + '/1', pair[1], format, currency));
  }

  // ---- tables -----------------------------------------------------------------------------
  // columns: [{title, numeric, cell: (row, index) => node|string}]
  function table(columns, rows, caption) {
    const head = el('tr', {}, columns.map((c) => el('th', {class: c.numeric ? 'n' : null}, c.title)));
    const body = rows.map((row, i) => el('tr', {}, columns.map((c) =>
      el('td', {class: c.numeric ? 'n' : null}, c.cell(row, i)))));
    return el('table', {}, caption ? el('caption', {class: 'note'}, caption) : null, el('thead', {}, head),
      el('tbody', {}, body));
  }

  // ---- charts (Vega) ----------------------------------------------------------------------
  const FONT = 'DejaVu Sans, Helvetica Neue, Arial, sans-serif';
  const LAYER_COLORS = {domain: ['L1', 'L2', 'L3'], range: ['#4c78a8', '#f58518', '#54a24b']};
  function chart(spec, label) {
    const holder = el('div', {class: 'chart', role: 'img', 'aria-label': label});
    spec.$schema = 'https://vega.github.io/schema/vega/v5.json';
    spec.padding = spec.padding === undefined ? 8 : spec.padding;
    spec.config = Object.assign({axis: {labelFont: FONT, titleFont: FONT, labelFontSize: 11, titleFontSize: 12},
      legend: {labelFont: FONT, titleFont: FONT}, text: {font: FONT}}, spec.config || {});
    const view = new vega.View(vega.parse(spec), {renderer: 'svg', container: holder, hover: true});
    pending.push(view.runAsync().catch((error) => {
      console.error('cpsf report: chart "' + label + '" failed: ' + error);
      holder.append(el('p', {class: 'chart-error'}, 'This chart could not be drawn: ' + error));
    }));
    return holder;
  }
  function moneyAxisTitle(what, currency) { return currency ? what + ' (' + currency + ')' : what; }

  // ---- names ------------------------------------------------------------------------------
  function assetNames(results) {
    const names = new Map();
    for (const a of results.assets || []) names.set(a.id, a.name ? a.name : a.id);
    return names;
  }
  function enterpriseNames(results) {
    const names = new Map();
    for (const e of results.enterprises || []) names.set(e.id, e.name ? e.name : e.id);
    return names;
  }

  // ---- the sections of a run (results.json) -----------------------------------------------
  function runHeader(r) {
    const s = r.scenario || {};
    const facts = [
      'Scenario file ', el('code', {}, s.file || '?'), ' · ',
      num('results', '/trials', r.trials, 'count'), ' trials (simulated attacks) · seed ',
      el('code', {}, String(r.seed)), ' · cpsf ', (r.engine || {}).version || '?',
      (r.engine || {}).git_revision ? ' (' + r.engine.git_revision + ')' : ''];
    const head = [el('h1', {}, 'Supply-chain cyber risk: ' + (s.name || s.file || 'scenario')), el('p', {class: 'sub'}, facts)];
    if (r.partial) {
      head.push(el('p', {class: 'warning'}, 'This run was interrupted: the numbers are those of the ',
        num('results', '/trials', r.trials, 'count'), ' trials completed, not of the ',
        num('results', '/trials_planned', r.trials_planned, 'count'), ' planned.'));
    }
    return head;
  }

  function topLayerElement(r) {
    const cells = (r.layer_element || []).map((c, i) => ({c, i, v: cellLoss(c)}));
    return cells.filter((x) => isNum(x.v) && x.v > 0).sort((a, b) => b.v - a.v);
  }
  // A cell's whole attributed loss when results.json has it, else its assets' own loss.
  function cellLoss(c) { return c.loss && isNum(c.loss.mean) ? c.loss.mean : c.expected_loss; }
  function cellLossKey(c, i) {
    return c.loss && isNum(c.loss.mean) ? ptr('layer_element', i, 'loss', 'mean') : ptr('layer_element', i, 'expected_loss');
  }
  function cellsHoldWholeLoss(r) { return (r.layer_element || []).some((c) => c.loss && isNum(c.loss.mean)); }

  function summarySection(r) {
    const cur = (r.scenario || {}).currency || '';
    const annual = r.annual && r.annual.loss;
    const cards = el('div', {class: 'cards'});
    function card(label, valueNode, detail) {
      cards.append(el('div', {class: 'card'}, el('div', {class: 'label'}, label), el('div', {class: 'value'}, valueNode),
        detail ? el('div', {class: 'detail'}, detail) : null));
    }
    const words = [];
    if (annual) {
      card('Expected annual loss', num('results', '/annual/loss/mean', annual.mean, 'money', cur),
        ['95% interval ', interval('results', '/annual/loss/ci95', annual.ci95, 'money', cur)]);
      card('1-in-100-year loss', num('results', '/annual/loss/var99', annual.var99, 'money', cur),
        'exceeded in one year out of a hundred (VaR 99%)');
      card('Worst 1% of years, on average', num('results', '/annual/loss/es99', annual.es99, 'money', cur),
        'expected shortfall (ES 99%)');
      words.push(el('p', {}, 'In an average year the supply chain is expected to lose ',
        num('results', '/annual/loss/mean', annual.mean, 'money', cur), ' to the threats modelled. In one year out of a ',
        'hundred the loss is at least ', num('results', '/annual/loss/var99', annual.var99, 'money', cur),
        '; those worst years cost ', num('results', '/annual/loss/es99', annual.es99, 'money', cur), ' on average.'));
    }
    const loss = r.loss || {};
    card('Expected loss per attack', num('results', '/loss/mean', loss.mean, 'money', cur),
      ['one trial = ', viewWords(r), '; 95% interval ', interval('results', '/loss/ci95', loss.ci95, 'money', cur)]);
    if (!annual) {
      card('1-in-100 attack loss', num('results', '/loss/var99', loss.var99, 'money', cur),
        'exceeded in one simulated attack out of a hundred (VaR 99%)');
      words.push(el('p', {}, 'The threats carry no annual frequencies, so losses are per simulated attack (one trial), ',
        'not per year. Give every threat an annual_frequency in the scenario for annual figures.'));
    }
    const drivers = el('ul', {class: 'drivers'});
    const total = loss.mean;
    const cells = topLayerElement(r).slice(0, 3);
    const names = assetNames(r);
    for (const {c, i, v} of cells) {
      drivers.append(el('li', {}, 'CPSF layer ', c.layer, ' × element ', c.element.toLowerCase(), ': ',
        num('results', cellLossKey(c, i), v, 'money', cur), ' per attack',
        isNum(total) && total > 0 && cellsHoldWholeLoss(r) ? [' (', percentOf(v, total), ' of the loss)'] : ''));
    }
    const ents = (r.enterprises || []).map((e, i) => ({e, i: at(e, i)})).filter((x) => x.e.loss && isNum(x.e.loss.mean));
    ents.sort((a, b) => b.e.loss.mean - a.e.loss.mean);
    if (ents.length) {
      const {e, i} = ents[0];
      drivers.append(el('li', {}, 'The enterprise that loses most is ', el('strong', {}, e.name || e.id), ': ',
        num('results', ptr('enterprises', i, 'loss', 'mean'), e.loss.mean, 'money', cur), ' per attack.'));
    }
    const rel = ((r.paths || {}).relations || [])[0];
    if (rel) {
      drivers.append(el('li', {}, 'The relation on most successful attack paths is ', el('code', {}, rel.relation), ': ',
        num('results', ptr('paths', 'relations', 0, 'share'), rel.share, 'prob'), ' of them.'));
    }
    const targets = (r.assets || []).map((a, i) => ({a, i: at(a, i)})).filter((x) => x.a.target && isNum(x.a.p_compromised));
    targets.sort((x, y) => y.a.p_compromised - x.a.p_compromised);
    if (targets.length) {
      const {a, i} = targets[0];
      drivers.append(el('li', {}, 'The target most likely to fall is ', el('strong', {}, names.get(a.id)), ': ',
        num('results', ptr('assets', i, 'p_compromised'), a.p_compromised, 'prob'), ' of attacks.'));
    }
    if (r.cascade && isNum(r.cascade.share_of_loss) && r.cascade.share_of_loss > 0) {
      drivers.append(el('li', {}, num('results', '/cascade/share_of_loss', r.cascade.share_of_loss, 'prob'),
        ' of the loss is production that customers lose because their suppliers were out (the cascade).'));
    }
    if (r.controls_effect && isNum(r.controls_effect.loss_removed)) {
      drivers.append(el('li', {}, 'The controls in force remove ',
        num('results', '/controls_effect/loss_removed', r.controls_effect.loss_removed, 'money', cur),
        ' per attack against the same chain with no controls.'));
    }
    return el('section', {id: 'summary'}, el('h2', {}, 'Summary'), cards, words,
      el('h3', {}, 'What drives the loss'), drivers);
  }
  function percentOf(v, total) { return percent(v / total); }
  function viewWords(r) {
    const v = String(r.view || '');
    return v ? v : 'one simulated attack';
  }

  function exceedanceSection(r) {
    const cur = (r.scenario || {}).currency || '';
    const values = [];
    function add(series, summary) {
      if (!summary || !Array.isArray(summary.exceedance)) return;
      const positive = summary.exceedance.filter((q) => q.threshold > 0 && q.probability > 0);
      const floor = Math.min(...positive.map((q) => q.probability)) / 2;
      for (const q of positive) {
        const half = isNum(q.stderr) ? 1.96 * q.stderr : 0;
        values.push({series, x: q.threshold, p: q.probability, lo: Math.max(q.probability - half, floor),
          hi: Math.min(q.probability + half, 1)});
      }
    }
    const annual = r.annual && r.annual.loss && Array.isArray(r.annual.loss.exceedance);
    if (annual) {
      add('per year, controls on', r.annual.loss);
      add('per year, no controls', r.annual.inherent_loss);
    } else {
      add('per attack, controls on', r.loss);
      add('per attack, no controls', (r.inherent || {}).loss);
    }
    const summary = annual ? r.annual.loss : r.loss;
    const base = annual ? '/annual/loss' : '/loss';
    const rows = [
      ['Mean', 'mean'], ['VaR 95% (exceeded with probability 5%)', 'var95'], ['VaR 99% (1 in 100)', 'var99'],
      ['ES 99% (mean of the worst 1%)', 'es99'], ['Largest loss simulated', 'max']];
    const spec = {
      width: 620, height: 320,
      data: [{name: 'points', values}],
      scales: [
        {name: 'x', type: 'log', domain: {data: 'points', field: 'x'}, range: 'width', nice: true},
        {name: 'y', type: 'log', domain: {data: 'points', fields: ['lo', 'hi']}, range: 'height', nice: true},
        {name: 'color', type: 'ordinal', domain: {data: 'points', field: 'series'}, range: ['#b3261e', '#7f8c9d']}],
      axes: [
        {orient: 'bottom', scale: 'x', title: moneyAxisTitle('Loss at least', cur), format: '~s', grid: true},
        {orient: 'left', scale: 'y', title: annual ? 'Probability in a year' : 'Probability per attack', format: '~%',
          grid: true}],
      legends: [{stroke: 'color', fill: 'color', orient: 'top-right', title: null}],
      marks: [{
        type: 'group',
        from: {facet: {name: 'series', data: 'points', groupby: 'series'}},
        marks: [
          {type: 'area', from: {data: 'series'}, encode: {enter: {
            x: {scale: 'x', field: 'x'}, y: {scale: 'y', field: 'lo'}, y2: {scale: 'y', field: 'hi'},
            fill: {scale: 'color', field: 'series'}, fillOpacity: {value: 0.18}, interpolate: {value: 'step-after'}}}},
          {type: 'line', from: {data: 'series'}, encode: {enter: {
            x: {scale: 'x', field: 'x'}, y: {scale: 'y', field: 'p'}, stroke: {scale: 'color', field: 'series'},
            strokeWidth: {value: 2}, interpolate: {value: 'step-after'},
            tooltip: {signal: "{'loss ≥': format(datum.x, ',.0f'), 'probability': format(datum.p, '.3~%')}"}}}}]}],
    };
    return el('section', {id: 'exceedance'}, el('h2', {}, 'Loss exceedance curve'),
      el('p', {}, 'How likely a loss at least this large is, ', annual ? 'in one year' : 'in one simulated attack',
        ', with the controls in force and with none. Both axes are logarithmic; the band is the 95% confidence interval ',
        'of each probability (±1.96 standard errors of the Monte Carlo estimate).'),
      values.length ? chart(spec, 'Loss exceedance curve') : el('p', {class: 'note'}, 'No loss was simulated.'),
      table([{title: 'Statistic', cell: (x) => x[0]},
        {title: annual ? 'Per year' : 'Per attack', numeric: true,
          cell: (x) => num('results', base + '/' + x[1], summary[x[1]], 'money', cur)}], rows));
  }

  const ASSET_CHART_LIMIT = 25;
  function assetsSection(r) {
    const names = assetNames(r);
    const annual = (r.assets || []).some((a) => a.annual && isNum(a.annual.p_compromised));
    const rows = (r.assets || []).map((a, i) => ({a, i: at(a, i), p: annual && a.annual ? a.annual.p_compromised : a.p_compromised,
      ci: annual && a.annual ? a.annual.ci95 : a.ci95}));
    const shown = rows.filter((x) => isNum(x.p)).sort((x, y) => y.p - x.p || (x.a.id < y.a.id ? -1 : 1));
    const top = shown.slice(0, ASSET_CHART_LIMIT);
    const values = top.map((x) => ({label: names.get(x.a.id) + (x.a.target ? ' ★' : ''), p: x.p,
      lo: x.ci ? x.ci[0] : x.p, hi: x.ci ? x.ci[1] : x.p, layer: x.a.layer}));
    const spec = {
      width: 560, height: Math.max(60, 18 * values.length),
      data: [{name: 'assets', values}],
      scales: [
        {name: 'y', type: 'band', domain: {data: 'assets', field: 'label'}, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: {data: 'assets', fields: ['hi']}, range: 'width', nice: true, zero: true},
        {name: 'color', type: 'ordinal', domain: LAYER_COLORS.domain, range: LAYER_COLORS.range}],
      axes: [{orient: 'left', scale: 'y', labelLimit: 220},
        {orient: 'bottom', scale: 'x', format: '~%', grid: true,
          title: annual ? 'Probability of being compromised in a year' : 'Probability of being compromised per attack'}],
      legends: [{fill: 'color', title: 'CPSF layer', orient: 'bottom-right'}],
      marks: [
        {type: 'rect', from: {data: 'assets'}, encode: {enter: {
          y: {scale: 'y', field: 'label'}, height: {scale: 'y', band: 1}, x: {scale: 'x', value: 0},
          x2: {scale: 'x', field: 'p'}, fill: {scale: 'color', field: 'layer'}, fillOpacity: {value: 0.85},
          tooltip: {signal: "{'asset': datum.label, 'probability': format(datum.p, '.3~%')}"}}}},
        {type: 'rule', from: {data: 'assets'}, encode: {enter: {
          y: {scale: 'y', field: 'label', band: 0.5}, x: {scale: 'x', field: 'lo'}, x2: {scale: 'x', field: 'hi'},
          stroke: {value: '#1d2433'}, strokeWidth: {value: 1.2}}}}],
    };
    const pKey = (x) => annual && x.a.annual ? ptr('assets', x.i, 'annual', 'p_compromised') : ptr('assets', x.i, 'p_compromised');
    const ciKey = (x) => annual && x.a.annual ? ptr('assets', x.i, 'annual', 'ci95') : ptr('assets', x.i, 'ci95');
    const listed = shown.slice(0, TABLE_LIMIT);
    return el('section', {id: 'assets', class: 'long'}, el('h2', {}, 'Assets most likely to be compromised'),
      el('p', {}, annual
        ? 'The probability that each asset is compromised at least once in a year (every threat attacks as often as its annual frequency says), with its 95% interval. ★ marks a target.'
        : 'The probability that each asset is compromised in one simulated attack (one trial), with its 95% interval. ★ marks a target. (With annual frequencies on every threat, this becomes a probability per year.)'),
      omittedNote('assets', 'assets', 'every target and the assets most likely to fall', 'assets.csv'),
      values.length ? chart(spec, 'Probability of compromise per asset') : el('p', {class: 'note'}, 'No asset.'),
      shown.length > ASSET_CHART_LIMIT ? el('p', {class: 'note'}, 'The chart shows the ', String(ASSET_CHART_LIMIT),
        ' most likely; the table lists ', String(listed.length), ' of ', String(shown.length), '.') : null,
      table([
        {title: 'Asset', cell: (x) => [names.get(x.a.id), x.a.target ? ' ★' : '', el('br'), el('code', {class: 'note'}, x.a.id)]},
        {title: 'Enterprise', cell: (x) => x.a.owner},
        {title: 'Layer × element', cell: (x) => x.a.layer + ' × ' + String(x.a.element).toLowerCase()},
        {title: annual ? 'P(compromised) per year' : 'P(compromised) per attack', numeric: true, cell: (x) => num('results', pKey(x), x.p, 'prob')},
        {title: '95% interval', numeric: true, cell: (x) => interval('results', ciKey(x), x.ci, 'prob')},
        {title: 'No controls', numeric: true,
          cell: (x) => x.a.inherent ? num('results', ptr('assets', x.i, 'inherent', 'p_compromised'), x.a.inherent.p_compromised, 'prob') : '—'}],
      listed));
  }
  const TABLE_LIMIT = 200;
  function omittedNote(what, noun, which, file) {
    const o = (DATA.omitted || {})[what];
    if (!o) return null;
    return el('p', {class: 'note'}, 'This page holds ', String(o.shown), ' of the ', String(o.total), ' ', noun, ': ',
      which, '; ', file, ' and results.json have them all.');
  }

  function layerElementSection(r) {
    const cur = (r.scenario || {}).currency || '';
    const whole = cellsHoldWholeLoss(r);
    const total = r.loss ? r.loss.mean : null;
    const cells = (r.layer_element || []).map((c, i) => ({c, i, v: cellLoss(c)}));
    const sum = cells.reduce((s, x) => s + (isNum(x.v) ? x.v : 0), 0);
    const values = cells.map((x) => ({layer: x.c.layer, element: String(x.c.element).toLowerCase(),
      v: isNum(x.v) ? x.v : 0,
      share: x.c.share && isNum(x.c.share.value) ? x.c.share.value : sum > 0 && isNum(x.v) ? x.v / sum : 0}));
    const spec = {
      width: 600, height: 150,
      data: [{name: 'cells', values}],
      scales: [
        {name: 'x', type: 'band', domain: ['organization', 'people', 'component', 'data', 'procedure', 'system'], range: 'width', padding: 0.04},
        {name: 'y', type: 'band', domain: ['L1', 'L2', 'L3'], range: 'height', padding: 0.04},
        {name: 'color', type: 'linear', domain: {data: 'cells', field: 'v'}, range: {scheme: 'oranges'}, zero: true}],
      axes: [{orient: 'top', scale: 'x', domain: false, ticks: false}, {orient: 'left', scale: 'y', domain: false, ticks: false}],
      legends: [{fill: 'color', title: moneyAxisTitle('Loss per attack', cur), format: '~s', orient: 'right'}],
      marks: [
        {type: 'rect', from: {data: 'cells'}, encode: {enter: {
          x: {scale: 'x', field: 'element'}, width: {scale: 'x', band: 1}, y: {scale: 'y', field: 'layer'},
          height: {scale: 'y', band: 1}, fill: {scale: 'color', field: 'v'},
          tooltip: {signal: "{'cell': datum.layer + ' × ' + datum.element, 'loss': format(datum.v, ',.0f'), 'share': format(datum.share, '.1%')}"}}}},
        {type: 'text', from: {data: 'cells'}, encode: {enter: {
          x: {scale: 'x', field: 'element', band: 0.5}, y: {scale: 'y', field: 'layer', band: 0.5}, align: {value: 'center'},
          baseline: {value: 'middle'}, fontSize: {value: 12}, text: {signal: "datum.v > 0 ? format(datum.share, '.1%') : '–'"},
          fill: {signal: "datum.share > 0.3 ? 'white' : '#1d2433'"}}}}],
    };
    const nonzero = cells.filter((x) => isNum(x.v) && x.v > 0);
    return el('section', {id: 'layer-element'}, el('h2', {}, 'Where the loss lands: CPSF layer × element'),
      el('p', {}, 'The three CPSF layers (L1 connections between organisations, L2 the cyber-physical interface, ',
        'L3 cyberspace) against its six elements. Each cell is the loss per attack charged to the assets of that layer ',
        'and element, as a share of the table.'),
      whole ? el('p', {}, 'Production lost by an asset\'s owner and by its customers (the cascade) is charged to the ',
        'assets whose compromise caused it (docs/methods.md), so the cells add up to the whole expected loss.')
        : el('p', {class: 'warning'}, 'These cells hold the assets\' own losses only (confidentiality, integrity, ',
          'availability): production and cascade losses are per enterprise (below). Together the cells are ',
          isNum(total) && total > 0 ? percent(sum / total) : '—', ' of the expected loss.'),
      chart(spec, 'Layer by element heatmap of the loss'),
      table(layerElementColumns(whole, cur), nonzero,
        nonzero.length < cells.length ? 'Cells with no loss are left out of the table.' : null));
  }

  // The table under the heatmap: with attributed losses, the parts and the share.
  function layerElementColumns(whole, cur) {
    const key = (x, ...path) => ptr('layer_element', x.i, ...path);
    const columns = [{title: 'Layer', cell: (x) => x.c.layer}, {title: 'Element', cell: (x) => String(x.c.element).toLowerCase()}];
    if (whole) {
      columns.push(
        {title: 'Own loss', numeric: true, cell: (x) => num('results', key(x, 'expected_loss'), x.c.expected_loss, 'money', cur)},
        {title: 'Production', numeric: true, cell: (x) => num('results', key(x, 'production_loss'), x.c.production_loss, 'money', cur)},
        {title: 'Cascade', numeric: true, cell: (x) => num('results', key(x, 'cascade_loss'), x.c.cascade_loss, 'money', cur)});
    }
    columns.push({title: whole ? 'Loss per attack' : 'Own loss per attack', numeric: true,
      cell: (x) => num('results', cellLossKey(x.c, x.i), x.v, 'money', cur)});
    if (whole) {
      columns.push({title: 'Share of the loss', numeric: true, cell: (x) => x.c.share
        ? [num('results', key(x, 'share', 'value'), x.c.share.value, 'prob'), el('br'),
          el('span', {class: 'note'}, interval('results', key(x, 'share', 'ci95'), x.c.share.ci95, 'prob'))] : '—'});
    }
    columns.push({title: 'Assets compromised per attack', numeric: true,
      cell: (x) => num('results', key(x, 'expected_compromised'), x.c.expected_compromised, 'ratio')});
    return columns;
  }

  function enterprisesSection(r) {
    const cur = (r.scenario || {}).currency || '';
    const ents = (r.enterprises || []).map((e, i) => ({e, i: at(e, i)})).filter((x) => x.e.loss);
    ents.sort((a, b) => (b.e.loss.mean || 0) - (a.e.loss.mean || 0));
    const top = ents.slice(0, 30);
    const values = [];
    for (const {e} of top) {
      const label = e.name || e.id;
      values.push({label, part: 'own compromise and production', v: (e.direct || {}).mean || 0, order: 0});
      values.push({label, part: 'cascade from suppliers', v: (e.cascade || {}).mean || 0, order: 1});
    }
    const spec = {
      width: 560, height: Math.max(60, 20 * top.length),
      data: [{name: 'parts', values, transform: [{type: 'stack', groupby: ['label'], field: 'v', sort: {field: 'order'}}]}],
      scales: [
        {name: 'y', type: 'band', domain: {data: 'parts', field: 'label'}, range: 'height', padding: 0.2},
        {name: 'x', type: 'linear', domain: {data: 'parts', field: 'y1'}, range: 'width', nice: true, zero: true},
        {name: 'color', type: 'ordinal', domain: ['own compromise and production', 'cascade from suppliers'], range: ['#b3261e', '#f2a541']}],
      axes: [{orient: 'left', scale: 'y', labelLimit: 200},
        {orient: 'bottom', scale: 'x', format: '~s', grid: true, title: moneyAxisTitle('Loss per attack', cur)}],
      legends: [{fill: 'color', orient: 'bottom-right'}],
      marks: [{type: 'rect', from: {data: 'parts'}, encode: {enter: {
        y: {scale: 'y', field: 'label'}, height: {scale: 'y', band: 1}, x: {scale: 'x', field: 'y0'}, x2: {scale: 'x', field: 'y1'},
        fill: {scale: 'color', field: 'part'},
        tooltip: {signal: "{'enterprise': datum.label, 'part': datum.part, 'loss': format(datum.v, ',.0f')}"}}}}],
    };
    return el('section', {id: 'enterprises'}, el('h2', {}, 'Enterprises'),
      el('p', {}, 'Each enterprise\'s loss per attack: from its own compromised assets and lost production, and ',
        'from production it lost because its suppliers were out (the supply-chain cascade).'),
      omittedNote('enterprises', 'enterprises', 'those that lose most', 'enterprises.csv'),
      top.length ? chart(spec, 'Loss per enterprise') : null,
      table([
        {title: 'Enterprise', cell: (x) => [x.e.name || x.e.id, x.e.role || x.e.sector ? el('br') : null,
          el('span', {class: 'note'}, [x.e.role, x.e.sector].filter(Boolean).join(' · '))]},
        {title: 'Loss per attack', numeric: true, cell: (x) => num('results', ptr('enterprises', x.i, 'loss', 'mean'), x.e.loss.mean, 'money', cur)},
        {title: '95% interval', numeric: true, cell: (x) => interval('results', ptr('enterprises', x.i, 'loss', 'ci95'), x.e.loss.ci95, 'money', cur)},
        {title: 'Own', numeric: true, cell: (x) => num('results', ptr('enterprises', x.i, 'direct', 'mean'), (x.e.direct || {}).mean, 'money', cur)},
        {title: 'Cascade', numeric: true, cell: (x) => num('results', ptr('enterprises', x.i, 'cascade', 'mean'), (x.e.cascade || {}).mean, 'money', cur)},
        {title: 'No controls', numeric: true, cell: (x) => num('results', ptr('enterprises', x.i, 'inherent_loss_mean'), x.e.inherent_loss_mean, 'money', cur)}],
      ents.slice(0, TABLE_LIMIT)));
  }

  // Top paths as a graph: each asset in the column of its longest distance from an entry
  // along the paths shown (a layered drawing; cycles among paths are cut after n passes).
  function pathGraph(r, chosen) {
    const names = assetNames(r);
    const layerOf = new Map((r.assets || []).map((a) => [a.id, a.layer]));
    const targetOf = new Set((r.assets || []).filter((a) => a.target).map((a) => a.id));
    const nodes = new Map();
    const edges = new Map();
    for (const p of chosen) {
      p.path.assets.forEach((id, k) => {
        if (!nodes.has(id)) nodes.set(id, {id, column: 0, order: nodes.size});
        if (k > 0) {
          const key = p.path.assets[k - 1] + '\u0000' + id;
          const e = edges.get(key) || {from: p.path.assets[k - 1], to: id, trials: 0};
          e.trials += p.path.trials;
          edges.set(key, e);
        }
      });
    }
    for (let pass = 0; pass < nodes.size; ++pass) {
      let changed = false;
      for (const e of edges.values()) {
        const want = nodes.get(e.from).column + 1;
        if (want > nodes.get(e.to).column && want < nodes.size) { nodes.get(e.to).column = want; changed = true; }
      }
      if (!changed) break;
    }
    const perColumn = new Map();
    for (const n of [...nodes.values()].sort((a, b) => a.order - b.order)) {
      n.row = perColumn.get(n.column) || 0;
      perColumn.set(n.column, n.row + 1);
    }
    const columns = Math.max(1, ...[...nodes.values()].map((n) => n.column + 1));
    const rows = Math.max(1, ...perColumn.values());
    const W = Math.max(480, 170 * columns);
    const H = Math.max(120, 54 * rows);
    const place = (n) => ({x: 60 + (W - 160) * (columns > 1 ? n.column / (columns - 1) : 0.5),
      y: 20 + (H - 40) * (rows > 1 ? n.row / (rows - 1) : 0.5)});
    const nodeValues = [...nodes.values()].map((n) => Object.assign(place(n), {label: names.get(n.id) || n.id,
      layer: layerOf.get(n.id) || 'L3', target: targetOf.has(n.id)}));
    const maxTrials = Math.max(1, ...[...edges.values()].map((e) => e.trials));
    const edgeValues = [...edges.values()].map((e) => {
      const a = place(nodes.get(e.from));
      const b = place(nodes.get(e.to));
      return {sx: a.x, sy: a.y, tx: b.x, ty: b.y, w: 1 + 7 * e.trials / maxTrials, trials: e.trials};
    });
    return {
      width: W, height: H,
      data: [
        {name: 'edges', values: edgeValues, transform: [{type: 'linkpath', sourceX: 'sx', sourceY: 'sy', targetX: 'tx',
          targetY: 'ty', shape: 'diagonal', orient: 'horizontal'}]},
        {name: 'nodes', values: nodeValues}],
      scales: [{name: 'color', type: 'ordinal', domain: LAYER_COLORS.domain, range: LAYER_COLORS.range}],
      legends: [{fill: 'color', title: 'CPSF layer', orient: 'bottom', direction: 'horizontal'}],
      marks: [
        {type: 'path', from: {data: 'edges'}, encode: {enter: {path: {field: 'path'}, stroke: {value: '#8a93a6'},
          strokeOpacity: {value: 0.7}, strokeWidth: {field: 'w'}, tooltip: {signal: "'trials on this step: ' + datum.trials"}}}},
        {type: 'symbol', from: {data: 'nodes'}, encode: {enter: {x: {field: 'x'}, y: {field: 'y'},
          shape: {signal: "datum.target ? 'diamond' : 'circle'"}, size: {signal: 'datum.target ? 260 : 150'},
          fill: {scale: 'color', field: 'layer'}, stroke: {value: 'white'}}}},
        {type: 'text', from: {data: 'nodes'}, encode: {enter: {x: {field: 'x'}, y: {field: 'y', offset: -12},
          align: {value: 'center'}, fontSize: {value: 11}, text: {field: 'label'}, limit: {value: 160}}}}],
    };
  }

  function pathsSection(r) {
    const names = assetNames(r);
    const targets = ((r.paths || {}).targets || []).map((t, i) => ({t, i})).filter((x) => (x.t.top || []).length);
    targets.sort((a, b) => b.t.compromised_trials - a.t.compromised_trials);
    const chosen = [];
    for (const {t, i} of targets.slice(0, 6)) {
      (t.top || []).slice(0, 3).forEach((path, k) => chosen.push({target: t.asset, ti: i, k, path}));
    }
    if (!chosen.length) {
      return el('section', {id: 'paths'}, el('h2', {}, 'Top attack paths'),
        el('p', {class: 'note'}, r.paths ? 'No tracked asset was reached.' : 'Paths were not counted (--no-paths).'));
    }
    return el('section', {id: 'paths', class: 'long'}, el('h2', {}, 'Top attack paths'),
      el('p', {}, 'The most frequent routes attackers took to the targets, from the asset where they got in (left) to the ',
        'target (diamond). A thicker line was taken in more trials.'),
      chart(pathGraph(r, chosen), 'Top attack paths as a graph'),
      table([
        {title: 'Target', cell: (x) => names.get(x.target) || x.target},
        {title: 'Path', cell: (x) => x.path.assets.map((id) => names.get(id) || id).join(' → ')},
        {title: 'Frequency per attack', numeric: true,
          cell: (x) => num('results', ptr('paths', 'targets', x.ti, 'top', x.k, 'frequency'), x.path.frequency, 'prob')},
        {title: 'Share of the target\'s compromises', numeric: true,
          cell: (x) => num('results', ptr('paths', 'targets', x.ti, 'top', x.k, 'share'), x.path.share, 'prob')}],
      chosen));
  }

  function chokepointsSection(r) {
    const names = assetNames(r);
    if (!r.chokepoints) {
      return el('section', {id: 'chokepoints'}, el('h2', {}, 'Chokepoints'),
        el('p', {class: 'note'}, 'Not computed for this run (--chokepoints off, or more than 2,000,000 relations).'));
    }
    const rows = [];
    (r.chokepoints.threats || []).forEach((th, ti) => (th.targets || []).forEach((t, k) => rows.push({th, ti, t, k})));
    return el('section', {id: 'chokepoints', class: 'long'}, el('h2', {}, 'Chokepoints: the doors in series'),
      el('p', {}, '"Doors in series" is the fewest attack steps from an entry to the target: that many defences stand ',
        'one behind the other on the shortest route. The minimum cut is the smallest set of relations (or assets) ',
        'whose closing stops every route to the target, counting the weaknesses that remain with the controls on.'),
      table([
        {title: 'Threat', cell: (x) => x.th.threat},
        {title: 'Target', cell: (x) => names.get(x.t.asset) || x.t.asset},
        {title: 'Doors in series', numeric: true, cell: (x) => x.t.entry ? 'entry' : !x.t.reachable ? 'unreachable'
          : num('results', ptr('chokepoints', 'threats', x.ti, 'targets', x.k, 'depth'), x.t.depth, 'count')},
        {title: 'Relations to cut', cell: (x) => x.t.cut_relations ? [num('results', ptr('chokepoints', 'threats', x.ti, 'targets', x.k, 'cut_size'), x.t.cut_size, 'count'), ': ', x.t.cut_relations.join(', ')] : '—'},
        {title: 'Assets to cut', cell: (x) => x.t.cut_assets ? x.t.cut_assets.map((id) => names.get(id) || id).join(', ') : '—'}],
      rows.slice(0, TABLE_LIMIT)));
  }

  function inherentSection(r) {
    const cur = (r.scenario || {}).currency || '';
    if (!r.inherent || !r.inherent.loss) {
      return el('section', {id: 'inherent'}, el('h2', {}, 'Inherent and residual risk'),
        el('p', {class: 'note'}, 'The run with every control off was skipped (--no-inherent).'));
    }
    const names = assetNames(r);
    const targets = (r.assets || []).map((a, i) => ({a, i})).filter((x) => x.a.target && x.a.inherent);
    const values = [];
    for (const {a} of targets) {
      values.push({label: names.get(a.id), state: 'no controls (inherent)', p: a.inherent.p_compromised});
      values.push({label: names.get(a.id), state: 'controls on (residual)', p: a.p_compromised});
    }
    const spec = {
      width: 520, height: Math.max(60, 24 * targets.length),
      data: [{name: 'dots', values}],
      scales: [
        {name: 'y', type: 'point', domain: {data: 'dots', field: 'label'}, range: 'height', padding: 0.6},
        {name: 'x', type: 'linear', domain: {data: 'dots', field: 'p'}, range: 'width', nice: true, zero: true},
        {name: 'color', type: 'ordinal', domain: ['no controls (inherent)', 'controls on (residual)'], range: ['#7f8c9d', '#b3261e']}],
      axes: [{orient: 'left', scale: 'y', labelLimit: 200},
        {orient: 'bottom', scale: 'x', format: '~%', grid: true, title: 'Probability of compromise per attack'}],
      legends: [{fill: 'color', orient: 'bottom-right'}],
      marks: [{type: 'symbol', from: {data: 'dots'}, encode: {enter: {y: {scale: 'y', field: 'label'}, x: {scale: 'x', field: 'p'},
        fill: {scale: 'color', field: 'state'}, size: {value: 90}}}}],
    };
    const eff = r.controls_effect || {};
    return el('section', {id: 'inherent'}, el('h2', {}, 'Inherent and residual risk'),
      el('p', {}, 'Inherent risk is the same chain attacked with every control off (the same random numbers, so the ',
        'difference is the controls\' alone); residual risk is with the controls in force.'),
      table([{title: '', cell: (x) => x[0]}, {title: 'Loss per attack', numeric: true, cell: (x) => x[1]},
        {title: '95% interval', numeric: true, cell: (x) => x[2]}], [
        ['No controls (inherent)', num('results', '/inherent/loss/mean', r.inherent.loss.mean, 'money', cur),
          interval('results', '/inherent/loss/ci95', r.inherent.loss.ci95, 'money', cur)],
        ['Controls on (residual)', num('results', '/loss/mean', r.loss.mean, 'money', cur),
          interval('results', '/loss/ci95', r.loss.ci95, 'money', cur)],
        ['Removed by the controls', num('results', '/controls_effect/loss_removed', eff.loss_removed, 'money', cur),
          interval('results', '/controls_effect/ci95', eff.ci95, 'money', cur)]]),
      targets.length ? chart(spec, 'Inherent and residual probability per target') : null);
  }

  function threatsSection(r) {
    const cur = (r.scenario || {}).currency || '';
    const threats = (r.threats || []).map((t, i) => ({t, i}));
    return el('section', {id: 'threats'}, el('h2', {}, 'Threats'),
      table([{title: 'Threat', cell: (x) => x.t.id},
        {title: 'Attacks per year', numeric: true, cell: (x) => isNum(x.t.annual_frequency)
          ? num('results', ptr('threats', x.i, 'annual_frequency'), x.t.annual_frequency, 'ratio') : 'not given'},
        {title: 'Loss per attack', numeric: true, cell: (x) => num('results', ptr('threats', x.i, 'loss', 'mean'), (x.t.loss || {}).mean, 'money', cur)},
        {title: 'No controls', numeric: true, cell: (x) => num('results', ptr('threats', x.i, 'inherent_loss_mean'), x.t.inherent_loss_mean, 'money', cur)}],
      threats));
  }

  // ---- optimise.json ----------------------------------------------------------------------
  function portfolioSection(o) {
    const cur = (o.scenario || {}).currency || '';
    const frontier = (o.frontier || []).filter((f) => f.loss && isNum(f.loss.mean));
    const values = frontier.map((f) => ({cost: f.cost, loss: f.loss.mean,
      lo: f.loss.mean - 1.96 * (f.loss.stderr || 0), hi: f.loss.mean + 1.96 * (f.loss.stderr || 0),
      chosen: (f.chosen || []).join(', ') || 'nothing'}));
    const spec = {
      width: 560, height: 280,
      data: [{name: 'frontier', values}],
      scales: [
        {name: 'x', type: 'linear', domain: {data: 'frontier', field: 'cost'}, range: 'width', nice: true, zero: true},
        {name: 'y', type: 'linear', domain: {data: 'frontier', fields: ['lo', 'hi']}, range: 'height', nice: true, zero: false}],
      axes: [{orient: 'bottom', scale: 'x', format: '~s', grid: true, title: moneyAxisTitle('Annual cost of the controls chosen', cur)},
        {orient: 'left', scale: 'y', format: '~s', grid: true,
          title: moneyAxisTitle(o.objective === 'annual' ? 'Expected annual loss' : 'Expected loss per attack', cur)}],
      marks: [
        {type: 'area', from: {data: 'frontier'}, encode: {enter: {x: {scale: 'x', field: 'cost'}, y: {scale: 'y', field: 'lo'},
          y2: {scale: 'y', field: 'hi'}, fill: {value: '#b3261e'}, fillOpacity: {value: 0.15}, interpolate: {value: 'step-after'}}}},
        {type: 'line', from: {data: 'frontier'}, encode: {enter: {x: {scale: 'x', field: 'cost'}, y: {scale: 'y', field: 'loss'},
          stroke: {value: '#b3261e'}, strokeWidth: {value: 2}, interpolate: {value: 'step-after'}}}},
        {type: 'symbol', from: {data: 'frontier'}, encode: {enter: {x: {scale: 'x', field: 'cost'}, y: {scale: 'y', field: 'loss'},
          fill: {value: '#b3261e'}, size: {value: 40},
          tooltip: {signal: "{'cost': format(datum.cost, ',.0f'), 'loss': format(datum.loss, ',.0f'), 'controls': datum.chosen}"}}}}],
    };
    const marginal = (o.marginal || []).map((m, i) => ({m, i}));
    const perYear = o.objective === 'annual';
    const money = [];
    if (o.goal === 'net') {
      money.push(el('p', {}, 'Goal: the least expected annual loss plus annual cost of the controls (net benefit), ',
        'within the budget.'));
    }
    if (perYear && o.net_benefit && isNum(o.net_benefit.mean)) {
      money.push(el('p', {}, 'The chosen controls remove ', num('optimise', '/reduction/mean', (o.reduction || {}).mean, 'money', cur),
        ' a year for ', num('optimise', '/cost', o.cost, 'money', cur), ': a net benefit of ',
        num('optimise', '/net_benefit/mean', o.net_benefit.mean, 'money', cur), ' a year (standard error ',
        num('optimise', '/net_benefit/stderr', o.net_benefit.stderr, 'money', cur), ').'));
    }
    if (o.none_pays === true) {
      money.push(el('p', {class: 'warning'}, 'No candidate pays for itself: each removes less expected loss a year ',
        'than it costs.'));
    }
    if (o.costs_more_than_removes === true) {
      money.push(el('p', {class: 'warning'}, 'The chosen controls cost more a year than the loss they remove. ',
        'To buy only what pays, run with --goal net (goal="net" in Python).'));
    }
    return el('section', {id: 'portfolio'}, el('h2', {}, 'Control portfolio'),
      el('p', {}, 'The controls to buy within a budget of ', num('optimise', '/budget', o.budget, 'money', cur), ' a year: ',
        (o.chosen || []).length ? el('strong', {}, o.chosen.join(', ')) : el('strong', {}, 'none'), ', costing ',
        num('optimise', '/cost', o.cost, 'money', cur), ' and leaving an expected loss of ',
        num('optimise', '/loss/mean', (o.loss || {}).mean, 'money', cur), ' (', o.objective_description || o.objective, ').'),
      money,
      el('p', {}, 'The frontier below gives the least loss reachable at each budget (', o.method, ' search); the band is ',
        'the 95% interval of each estimate.'),
      values.length ? chart(spec, 'Portfolio frontier') : null,
      table([{title: 'Control', cell: (x) => x.m.control},
        {title: 'Annual cost', numeric: true, cell: (x) => num('optimise', ptr('marginal', x.i, 'cost'), x.m.cost, 'money', cur)},
        {title: 'Chosen', cell: (x) => x.m.chosen ? 'yes' : 'no'},
        {title: 'Loss it removes', numeric: true, cell: (x) => num('optimise', ptr('marginal', x.i, 'value'), x.m.value, 'money', cur)},
        {title: 'Removed per unit cost', numeric: true,
          cell: (x) => num('optimise', ptr('marginal', x.i, 'value_per_cost'), x.m.value_per_cost, 'ratio')},
        {title: 'Net benefit', numeric: true,
          cell: (x) => isNum(x.m.net) ? num('optimise', ptr('marginal', x.i, 'net'), x.m.net, 'money', cur) : '—'},
        {title: 'Pays for itself', cell: (x) => x.m.pays === true ? 'yes' : x.m.pays === false ? 'no' : '—'}],
      marginal, perYear ? 'Marginal values are with the other controls as chosen; a control pays for itself when, ' +
        'alone, it removes more loss a year than it costs.' : null));
  }

  // ---- compare.json -----------------------------------------------------------------------
  function comparisonSection(c) {
    const rows = (c.rows || []).map((row, i) => ({row, i})).filter((x) => x.row.loss);
    const currencies = new Set((c.scenarios || []).map((s) => s.currency));
    const cur = currencies.size === 1 ? [...currencies][0] : '';
    // Baseline first: long scenario names are cut at the axis, and rows must stay apart.
    const values = rows.map(({row}) => ({label: row.baseline + ' · ' + row.scenario, mean: row.loss.mean,
      lo: row.loss.ci95 ? row.loss.ci95[0] : row.loss.mean, hi: row.loss.ci95 ? row.loss.ci95[1] : row.loss.mean}));
    const positive = values.map((v) => v.mean).filter((v) => v > 0);
    const span = positive.length ? Math.max(...positive) / Math.min(...positive) : 1;
    const log = span > 100 && positive.length === values.length;
    if (log) {
      const floor = Math.min(...positive) / 10;
      for (const v of values) v.lo = Math.max(v.lo, floor);
    }
    const spec = {
      width: 520, height: Math.max(60, 26 * values.length),
      data: [{name: 'rows', values}],
      scales: [
        {name: 'y', type: 'point', domain: {data: 'rows', field: 'label'}, range: 'height', padding: 0.6},
        {name: 'x', type: log ? 'log' : 'linear', domain: {data: 'rows', fields: ['lo', 'hi']}, range: 'width', nice: true,
          zero: log ? false : true}],
      axes: [{orient: 'left', scale: 'y', labelLimit: 340},
        {orient: 'bottom', scale: 'x', format: '~s', grid: true,
          title: moneyAxisTitle('Mean residual loss per attack' + (log ? ' (log scale)' : ''), cur)}],
      marks: [
        {type: 'rule', from: {data: 'rows'}, encode: {enter: {y: {scale: 'y', field: 'label'}, x: {scale: 'x', field: 'lo'},
          x2: {scale: 'x', field: 'hi'}, stroke: {value: '#1d2433'}, strokeWidth: {value: 1.5}}}},
        {type: 'symbol', from: {data: 'rows'}, encode: {enter: {y: {scale: 'y', field: 'label'}, x: {scale: 'x', field: 'mean'},
          fill: {value: '#b3261e'}, size: {value: 70},
          tooltip: {signal: "{'row': datum.label, 'mean': format(datum.mean, ',.0f')}"}}}}],
    };
    return el('section', {id: 'comparison', class: 'long'}, el('h2', {}, 'Scenarios and baselines compared'),
      el('p', {}, 'Each scenario under each baseline, run with the same random numbers (', c.pairing || 'paired', '). ',
        log ? 'The values span more than two decades, so the axis is logarithmic.' : ''),
      values.length ? chart(spec, 'Comparison of scenarios and baselines') : null,
      table([{title: 'Scenario', cell: (x) => x.row.scenario}, {title: 'Baseline', cell: (x) => x.row.baseline},
        {title: 'Mean loss per attack', numeric: true, cell: (x) => num('compare', ptr('rows', x.i, 'loss', 'mean'), x.row.loss.mean, 'money', cur)},
        {title: '95% interval', numeric: true, cell: (x) => interval('compare', ptr('rows', x.i, 'loss', 'ci95'), x.row.loss.ci95, 'money', cur)},
        {title: 'Per year', numeric: true, cell: (x) => x.row.annual ? num('compare', ptr('rows', x.i, 'annual', 'mean'), x.row.annual.mean, 'money', cur) : '—'},
        {title: 'Difference', numeric: true, cell: (x) => x.row.difference && x.row.difference.from === x.row.baseline ? 'reference'
          : x.row.difference ? num('compare', ptr('rows', x.i, 'difference', 'mean'), x.row.difference.mean, 'money', cur) : '—'},
        {title: 'P(any target falls)', numeric: true, cell: (x) => x.row.p_any_target ? num('compare', ptr('rows', x.i, 'p_any_target', 'p'), x.row.p_any_target.p, 'prob') : '—'}],
      rows),
      moneyTable(rows, cur),
      profile(rows),
      (c.warnings || []).map((w) => el('p', {class: 'warning'}, w)),
      rows.filter((x) => x.row.no_effect).map((x) => el('p', {class: 'warning'}, x.row.scenario + ' · ' + x.row.baseline + ': ', x.row.no_effect)));
  }

  // The sector profile: each row's loss by CPSF layer × element as shares, side by side
  // (compare.json's rows[].layer_element; methods.md §8.1 attributes production and cascade).
  function profile(rows) {
    const withCells = rows.filter((x) => Array.isArray(x.row.layer_element) && x.row.layer_element.length);
    if (!withCells.length) return null;
    const label = (row) => row.baseline + ' · ' + row.scenario;
    const cellName = (c) => c.layer + ' ' + String(c.element).toLowerCase();
    const values = [];
    for (const {row} of withCells) {
      for (const c of row.layer_element) {
        values.push({row: label(row), cell: cellName(c), share: c.share && isNum(c.share.value) ? c.share.value : 0});
      }
    }
    const cellOrder = withCells[0].row.layer_element.map(cellName);
    const spec = {
      width: 18 * 44, height: 24 * withCells.length,
      data: [{name: 'cells', values}],
      scales: [
        {name: 'x', type: 'band', domain: cellOrder, range: 'width', padding: 0.04},
        {name: 'y', type: 'band', domain: withCells.map((x) => label(x.row)), range: 'height', padding: 0.04},
        {name: 'color', type: 'linear', domain: [0, 1], range: {scheme: 'oranges'}}],
      axes: [{orient: 'top', scale: 'x', labelAngle: -40, labelAlign: 'left', domain: false, ticks: false},
        {orient: 'left', scale: 'y', labelLimit: 260, domain: false, ticks: false}],
      legends: [{fill: 'color', title: 'Share of the loss', format: '~%', orient: 'right'}],
      marks: [
        {type: 'rect', from: {data: 'cells'}, encode: {enter: {x: {scale: 'x', field: 'cell'}, width: {scale: 'x', band: 1},
          y: {scale: 'y', field: 'row'}, height: {scale: 'y', band: 1}, fill: {scale: 'color', field: 'share'},
          tooltip: {signal: "{'row': datum.row, 'cell': datum.cell, 'share': format(datum.share, '.1%')}"}}}},
        {type: 'text', from: {data: 'cells'}, encode: {enter: {x: {scale: 'x', field: 'cell', band: 0.5},
          y: {scale: 'y', field: 'row', band: 0.5}, align: {value: 'center'}, baseline: {value: 'middle'}, fontSize: {value: 9},
          text: {signal: "datum.share >= 0.005 ? format(datum.share, '.0%') : ''"},
          fill: {signal: "datum.share > 0.4 ? 'white' : '#1d2433'"}}}}],
    };
    // The table: a line per cell that some row loses to, a column per row.
    const used = cellOrder.map((name, k) => ({name, k})).filter(({k}) =>
      withCells.some((x) => x.row.layer_element[k] && x.row.layer_element[k].share && x.row.layer_element[k].share.value > 0));
    const columns = [{title: 'Layer × element', cell: (u) => u.name}].concat(withCells.map((x) => ({
      title: label(x.row), numeric: true, cell: (u) => {
        const c = x.row.layer_element[u.k];
        const key = ptr('rows', x.i, 'layer_element', u.k, 'share');
        return c && c.share ? [num('compare', key + '/value', c.share.value, 'prob'), el('br'),
          el('span', {class: 'note'}, interval('compare', key + '/ci95', c.share.ci95, 'prob'))] : '—';
      }})));
    return [el('h3', {}, 'Sector profile: where each loss lands, by CPSF layer × element'),
      el('p', {}, 'Each row\'s loss per attack split over the 18 cells of layer × element (production and cascade losses ',
        'charged to the assets whose fall caused them), as shares with their 95% intervals: the profile working groups ',
        'compare between sectors.'),
      chart(spec, 'Sector profiles by layer and element'),
      el('div', {class: 'wide'}, table(columns, used, 'Cells no row loses to are left out.'))];
  }

  // Each baseline's annual cost beside the annual loss it removes (compare.json's cost,
  // removed and net_benefit; cpsf compare's "Money").
  function moneyTable(rows, cur) {
    const priced = rows.filter((x) => isNum(x.row.cost) && x.row.removed);
    if (!priced.length) return null;
    return [el('h3', {}, 'What each baseline costs and what it removes, per year'),
      table([{title: 'Scenario', cell: (x) => x.row.scenario}, {title: 'Baseline', cell: (x) => x.row.baseline},
        {title: 'Annual cost', numeric: true, cell: (x) => num('compare', ptr('rows', x.i, 'cost'), x.row.cost, 'money', cur)},
        {title: 'Loss removed a year', numeric: true, cell: (x) => num('compare', ptr('rows', x.i, 'removed', 'mean'), x.row.removed.mean, 'money', cur)},
        {title: 'Net benefit a year', numeric: true, cell: (x) => x.row.net_benefit ? num('compare', ptr('rows', x.i, 'net_benefit', 'mean'), x.row.net_benefit.mean, 'money', cur) : '—'},
        {title: '95% interval', numeric: true, cell: (x) => x.row.net_benefit ? interval('compare', ptr('rows', x.i, 'net_benefit', 'ci95'), x.row.net_benefit.ci95, 'money', cur) : '—'}],
      priced, 'Cost: the catalogue cost of the controls the baseline adds to the enterprises it changes; removed: ' +
        'the annual loss it removes from the scenario as it is, paired trial by trial.')];
  }

  // ---- glossary and about -----------------------------------------------------------------
  const GLOSSARY = [
    ['Trial', 'One simulated attack campaign: each threat tries the attack steps open to it once, and each step succeeds or fails by its probability. A result "per attack" is an average over trials.'],
    ['Per year (annual)', 'When every threat has an annual frequency, a simulated year holds as many attacks of each threat as a Poisson draw with that mean gives; "per year" figures average over simulated years.'],
    ['Expected loss', 'The mean loss: what the threats cost on average, per attack or per year.'],
    ['VaR 99% (1-in-100 loss)', 'Value at Risk: the loss exceeded with probability 1% (in one year out of a hundred, or one attack out of a hundred).'],
    ['ES 99% (expected shortfall)', 'The mean loss in the worst 1% of trials or years: how bad the bad cases are.'],
    ['Loss exceedance curve', 'For each loss, the probability of a loss at least that large.'],
    ['95% interval', 'The range that holds the true value with 95% confidence, given the number of trials run; more trials narrow it. Probabilities use the Wilson interval.'],
    ['Standard error', 'The Monte Carlo uncertainty of an estimate; the 95% interval is about ±1.96 standard errors.'],
    ['Inherent risk', 'The risk with every control switched off.'],
    ['Residual risk', 'The risk that remains with the controls in force.'],
    ['Cascade', 'Production lost by an enterprise because its suppliers were out, through the inoperability input-output model (docs/methods.md §8).'],
    ['Chokepoint / minimum cut', 'The fewest relations (or assets) that, closed, stop every attack path to a target.'],
    ['Doors in series', 'The fewest attack steps between an entry and a target: the defences an attacker must pass one after another.'],
    ['CPSF layers', 'L1: connections between organisations; L2: the interface between cyberspace and the physical world; L3: connections in cyberspace (METI\'s Cyber/Physical Security Framework).'],
    ['CPSF elements', 'Organization, people, component, data, procedure, system: the six kinds of thing the framework protects.'],
    ['Baseline', 'A named set of controls an enterprise claims, such as SCS ★3 / ★4 or JC-STAR levels.'],
  ];
  function glossarySection() {
    return el('section', {id: 'glossary'}, el('h2', {}, 'Glossary'),
      el('dl', {class: 'glossary'}, GLOSSARY.map(([term, meaning]) => [el('dt', {}, term), el('dd', {}, meaning)])));
  }
  function aboutSection(doc) {
    const e = (doc && doc.engine) || {};
    return el('section', {id: 'about'}, el('h2', {}, 'About these numbers'),
      el('p', {}, 'Computed by cpsf ', e.version || '?', e.git_revision ? ' (' + e.git_revision + ')' : '', ', ',
        e.semantics || '', '; random numbers ', doc.generator || '?', ', master seed ', String(doc.seed), '. The same ',
        'scenario, seed and trials give the same numbers on any machine and any number of threads.'),
      el('p', {class: 'note'}, 'Charts drawn with Vega 5.33.1 (BSD-3-Clause, University of Washington Interactive Data Lab), ',
        'inlined in this file; the page makes no network request.'));
  }

  // ---- the page ---------------------------------------------------------------------------
  function build() {
    const r = DATA.results;
    const o = DATA.optimise;
    const c = DATA.compare;
    const sections = [];
    if (r) {
      document.title = 'cpsf report — ' + ((r.scenario || {}).name || (r.scenario || {}).file || 'scenario');
      root.append(...runHeader(r));
      sections.push(summarySection(r), exceedanceSection(r), assetsSection(r), layerElementSection(r),
        enterprisesSection(r), pathsSection(r), chokepointsSection(r), inherentSection(r), threatsSection(r));
    } else {
      const doc = o || c;
      document.title = 'cpsf report';
      root.append(el('h1', {}, o ? 'Control portfolio' : 'Scenarios and baselines compared'),
        el('p', {class: 'sub'}, num(o ? 'optimise' : 'compare', '/trials', doc.trials, 'count'), ' trials per run · seed ', String(doc.seed)));
    }
    if (o) sections.push(portfolioSection(o));
    if (c) sections.push(comparisonSection(c));
    sections.push(glossarySection(), aboutSection(r || o || c));
    const toc = el('nav', {class: 'toc'}, sections.map((s) => el('a', {href: '#' + s.id}, s.querySelector('h2').textContent)));
    root.append(toc, ...sections);
  }

  try {
    build();
  } catch (error) {
    console.error('cpsf report: ' + (error && error.stack ? error.stack : error));
    root.append(el('p', {class: 'warning'}, 'This report could not be built: ' + error));
  }
  Promise.all(pending).then(() => {
    document.body.dataset.ready = 'true';
    // In a frame (Jupyter's _repr_html_), tell the page around it: its tests wait for this.
    if (window.parent !== window) {
      window.parent.postMessage({cpsfReport: 'ready', numbers: document.querySelectorAll('[data-key]').length}, '*');
    }
  });
})();
