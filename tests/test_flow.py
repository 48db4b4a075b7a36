"""The request-flow pass: request data followed through variables to a sink, written out as a
one-liner for the plain rules (agent/decode/flow.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agent.decode.flow import MAX_INPUT, SOURCE, flow_layer, reads_request, strip_comments
from agent.rules import default_rules_dir, load_rules
from agent.rules.compiler import RuleSet
from agent.scanner import Scanner, Verdict

RULES = r"""
rule T_Exec_Post { strings: $a = /(system|shell_exec|exec)\(\$_POST/ condition: $a }
rule T_Eval_Post { strings: $a = /eval\s{0,4}\(\$_POST/ condition: $a }
rule T_Small { strings: $a = "shell_exec($_POST" condition: filesize < 2KB and $a }
rule T_VarCall_Post { strings: $a = /\$\w{1,9}\(\$_POST/ condition: $a }
"""


@pytest.fixture(scope="module")
def ruleset(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    d = tmp_path_factory.mktemp("rules")
    (d / "t.yar").write_text(RULES)
    return load_rules((d, default_rules_dir() / "decode" / "triggers.yar"), default_rules=False)


def scan(ruleset: RuleSet, tmp_path: Path, data: bytes) -> dict[str, str]:
    f = tmp_path / "page.php"
    f.write_bytes(data)
    r = Scanner(ruleset).scan(str(f))
    assert r.verdict in (Verdict.MATCHED, Verdict.CLEAN), r
    return {m.rule: m.layer for m in r.matches}


@pytest.mark.parametrize(
    ("code", "written"),
    [
        # through a variable, a call that passes the value on, and string interpolation
        (b"<?php $c = trim($_POST['c']); echo shell_exec(\"$c 2>&1\");",
         b"shell_exec(\"$_POST['c'] 2>&1\");"),
        # a helper's parameter, a property, a global
        (b"<?php function run($cmd) { return exec($cmd); }\n"
         b"class A { function go() { $this->cmd = $_REQUEST['x']; run($this->cmd); } }",
         b"exec($_POST['cmd']);"),
        (b"<?php $q = $_COOKIE['q']; function f() { global $q; system($q); } f();",
         b"system($_POST['q']);"),
        # list and foreach targets; `??` and a ternary's branches
        (b"<?php list($a, $b) = explode('|', $_COOKIE['z']); eval(base64_decode($b));",
         b"eval(base64_decode($_POST['b']));"),
        (b"<?php foreach ($_POST as $k => $v) { $c = $v ?? 'id'; } passthru($c);",
         b"passthru($_POST['c']);"),
        (b"<?php $f = isset($_GET['f']) ? $_GET['f'] : 'phpinfo'; $f($_GET['a']);",
         b"$_POST['f']($_GET['a']);"),
        # request body, headers, filter_input; backticks; a sink named with a leading `\`
        (b"<?php $c = file_get_contents('php://input'); eval($c);", b"eval($_POST['c']);"),
        (b"<?php $h = getallheaders(); $c = $h['X-C']; echo `$c`;", b"`$_POST['c']`;"),
        (b"<?php $c = filter_input(INPUT_GET, 'c'); \\system($c);", b"system($_POST['c']);"),
        # a small page runs a function held in a variable (or an array element) on the request
        (b"<?php function t($a) { $f = substr('xassert', 1); $f($a); } t($_REQUEST['x']);",
         b"$f($_POST['a']);"),
        (b"<?$x=explode('~',base64_decode(getallheaders()['x']));@$x[0]($x[1]);",
         b"$_POST['x']($_POST['x']);"),
        # a small page's own function returning the request
        (b"<?php function post() { $p = $_POST['cmd']; return $p; } eval('' . POST() . '');",
         b"eval('' . $_POST['POST'] . '');"),
        # a header read through getenv, its name unquoted (a bare constant read as a string)
        (b"<?php $a = @getenv(HTTP_LOG); $k = preg_replace($p, 'x', $a); eval ($k);",
         b"eval ($_POST['k']);"),
        # a variable naming the page's own function that runs a command is still followed
        (b"<?php function run($c) { system($c); }\n$h = 'run';\n$p = $_GET['c'];\n$h($p);",
         b"$h($_POST['p']);"),
        # a static call whose class and method the request names
        (b"<?php $c = $_GET['c']; $m = $_GET['m']; $c::$m($_GET['a']);",
         b"$_POST['c']::$_POST['m']($_GET['a']);"),
        (b"<?php $m = $_GET['m']; Util :: $x; $k = $_COOKIE['k']; $k :: $m(1);",
         b"$_POST['k'] :: $_POST['m'](1);"),
        # a command line on a constant's path, but the word there launches what follows, or a
        # separator appended after it starts a command of the request's own
        (b"<?php $c = BIN . 'sh -c ' . $_POST['c']; system($c);", b"system($_POST['c']);"),
        (b"<?php $c = BIN . '/usr/bin/env ' . $_POST['c']; system($c);", b"system($_POST['c']);"),
        (b"<?php $c = BIN . 'python3.11 -c ' . $_POST['c']; system($c);", b"system($_POST['c']);"),
        (b"<?php $c = TOOLS . 'ls ' . $d; $c .= ' | ' . $_POST['c']; system($c);",
         b"system($_POST['c']);"),
        (b"<?php $c = TOOLS . 'ls ' . $_GET['d'] . ';' . $_GET['e']; exec($c);",
         b"exec($_POST['c']);"),
        # a page of its own writing a file whose name and content the request gives
        (b"<?php $n = $_GET['n']; $body = $_GET['b']; if ($n) { file_put_contents($path . '/' . $n, $body); }",
         b"file_put_contents($path . '/' . $_POST['n'], $_POST['body']);"),
        # in an application's class, a callback that is the request read, or a variable
        # assigned from one, is still request-named
        (b"<?php class A { function go() { $a = $_GET['a']; call_user_func($a, $this); } }"
         + b"\n// notes" * 500, b"call_user_func($_POST['a'], $this);"),
        (b"<?php class A { function go() { $f = trim($_POST['f']); $f($_GET['x']); } }"
         + b"\n// notes" * 500, b"$_POST['f']($_GET['x']);"),
        # a framework's request object: Drupal/Symfony, OpenCart, CodeIgniter, Zend, PrestaShop
        (b"<?php class C { function run() { $c = \\Drupal::request()->query->get('c'); return system($c); } }",
         b"system($_POST['c']);"),
        (b"<?php $c = $this->request->post['c']; passthru($c);", b"passthru($_POST['c']);"),
        (b"<?php $c = $this->input->post('c'); echo shell_exec($c);", b"shell_exec($_POST['c']);"),
        (b"<?php $c = $this->getRequest()->getParam('c'); eval($c);", b"eval($_POST['c']);"),
        (b"<?php $c = Tools::getValue('c'); system($c);", b"system($_POST['c']);"),
        # ... also read in the sink itself: no variable carries it
        (b"<?php class C { function go() { return system(\\Drupal::request()->query->get('c')); } }",
         b"system($_POST['c']);"),
        (b"<?php class C { function go() { eval($this->input->post('x')); } }", b"eval($_POST['x']);"),
        (b"<?php passthru(Yii::$app->request->get('c', 'id'));", b"passthru($_POST['c']);"),
        # escapeshellcmd as the whole command: the request still picks the command
        (b"<?php $c = escapeshellcmd($_GET['c']); exec($c, $o);", b"exec($_POST['c'], $o);"),
        # an old-style editor: fopen of the request's path, fwrite of its text
        (b"<?php $f = $_POST['f']; $h = fopen($f, 'w'); fwrite($h, $_POST['t']);",
         b"fopen($_POST['f'], 'w');"),
    ],
)  # fmt: skip
def test_request_data_is_followed_to_the_sink(code: bytes, written: bytes) -> None:
    layer = flow_layer(code)
    assert layer is not None and written in layer, layer


@pytest.mark.parametrize(
    "code",
    [
        # sanitised, cast, compared, counted: no command can be steered through these
        b"<?php $f = escapeshellarg($_GET['f']); exec(\"convert $f out.png\");",
        b"<?php $n = (int)$_GET['n']; system('sleep ' . $n);",
        b"<?php $ok = $_GET['p'] == 'x'; eval($ok);",
        b'<?php $n = count($_POST); system("echo $n");',
        # the page's own table looked up by a request key; an object's member
        b"<?php $cb = $this->callbacks[$_POST['m']]; call_user_func($cb, 1);",
        b"<?php foreach ($_POST['t'] as $t => $v) { $o = get_taxonomy($t);"
        b" call_user_func($o->sanitize_cb, 1); }",
        # a file the request names is read: its content is not the request
        b"<?php $tpl = file_get_contents('skins/' . $_GET['s']); eval('?>' . $tpl);",
        # sinks in text: a string, a comment, HTML outside the PHP tags
        b"<?php $c = $_GET['c']; echo 'run system($c) here'; // exec($c)\n",
        b"<p>Don't system($c)</p><?php $c = $_GET['c']; ?><p>isn't exec($c)</p>",
        # `new $class(..)` builds an object; a PDO `->exec` and `curl_exec` are no commands
        b"<?php $class = $_GET['type']; $o = new $class($x);",
        b"<?php $s = $_GET['s']; $db->exec($s); curl_exec($s);",
        # in an application's file (not a small page), a callback run on request data
        b"<?php $cb = $this->handlers['save']; $cb($_POST['form']);" + b"\n// notes" * 500,
        # an upload's extension compared with an allowed one is checked
        b"<?php $e = substr($_FILES['a']['name'], -4); if ($e === '.png' || '.jpg' == $e) {"
        b" move_uploaded_file($_FILES['a']['tmp_name'], 'up/' . uniq() . $e); }",
        # a PSR-7 message's own query string is not the page's request
        b"<?php $q = $request->getUri()->getQuery(); $handler($q, $options);",
        # an object built from request data is no request text
        b"<?php $c = new Controller($_GET['id']); $c($x);" + b"\n// notes" * 500,
        # in an application, a method that returns the request (a request wrapper)
        b"<?php function get($k) { return $_GET[$k]; } $f = get('f'); system($f);"
        + b"\n// notes" * 500,
        # a variable naming one of the page's own functions, which runs nothing: a callback table
        b"<?php function render_page($p) { echo htmlspecialchars($p); }\n"
        b"$handler = 'render_page';\n$p = $_GET['page'];\n$handler($p);",
        # a static call of the page's own class and method names
        b"<?php $c = 'Report'; $m = 'render'; $c::$m($_GET['id']);" + b"\n// notes" * 500,
        # a `$` in single quotes or escaped is no variable
        b"<?php $c = 'x'; $t = '$_GET[1]'; $u = \"\\$_POST\"; system($c . $t . $u);",
        # a variable cleaned in place before the sink; an application's own shell quoting
        b"<?php foreach ($_POST['db'] as $v) { $v = escapeshellarg($v); exec('x ' . $v); }",
        b"<?php $u = $_GET['user']; $u = quoteshellarg($u); exec(CMD . 'v-delete-user ' . $u);",
        # a hosting panel's command line: its own program (a constant's path and a word) with
        # the request as arguments, appended to with no separator
        b"<?php $c = PANEL_CMD . 'v-change-user-ns ' . $user . ' ' . $_POST['ns1'];\n"
        b"if (!empty($_POST['ns2'])) { $c = $c . ' ' . $_POST['ns2']; }\n"
        b"$c .= ' ' . $_POST['ns3'];\nexec($c, $output, $rc);",
        # what a store holds under a request-given key is not the request
        b"<?php $data = get_transient('job-' . $_POST['key']);"
        b" $r = call_user_func_array($data['callback'], $data['params']);",
        # a document fetched with curl is not the request, whatever its address holds
        b"<?php $u = 'https://api.example.org/?q=' . $_GET['q']; $ch = curl_init($u);"
        b" $d = curl_exec($ch); file_put_contents('cache/' . $_GET['q'], $d);",
        # an upload whose name the page checks and makes itself
        b"<?php $e = pathinfo($_FILES['f']['name'], PATHINFO_EXTENSION); $n = uniqid() . '.' . $e;"
        b" if (in_array($e, ['png', 'jpg'])) move_uploaded_file($_FILES['f']['tmp_name'], 'up/' . $n);",
        # an application's hook: the request's sub-action goes to a hook, whose answer (kept
        # in a property) names a callback made callable by a helper (a forum's likes)
        b"<?php class Likes { protected $sa; protected $valid = array();\n"
        b" function __construct() { $this->sa = isset($_GET['sa']) ? $_GET['sa'] : 'like'; }\n"
        b" function check() { $found = run_hooks('valid', array($this->sa));\n"
        b"  foreach ($found as $r) { $this->valid = array_merge($this->valid, $r); } }\n"
        b" function like() { $call = make_callable($this->valid['callback']);\n"
        b"  if (!empty($call)) call_user_func_array($call, array($this)); }\n"
        b" function save() { foreach ($this->valid['on_save'] as $fn) $fn(); } }"
        + b"\n// notes"
        * 500,
        # escapeshellcmd on an argument of a fixed program
        b"<?php $p = $_GET['p']; exec('/usr/bin/convert ' . escapeshellcmd($p) . ' out.png');",
        # a request-named file that ends in a data extension: no page the server runs
        b"<?php $n = $_GET['n']; file_put_contents(DIR . '/agreement.' . $n . '.txt', $_GET['t']);",
        # an application's own editor saving a template (a class, an access check)
        b"<?php $this->require_acl('admin'); $f = 'layouts/' . $_POST['name'] . '.html';"
        b" file_put_contents($f, $_POST['body']);",
    ],
)
def test_look_alikes_write_nothing(code: bytes) -> None:
    assert flow_layer(code) is None


def test_the_rules_judge_the_written_layer(ruleset: RuleSet, tmp_path: Path) -> None:
    code = b"<?php\n$cmd = $_POST['cmd'];\n$out = shell_exec($cmd);\necho $out;\n"
    assert scan(ruleset, tmp_path, code) == {"T_Exec_Post": "flow", "T_Small": "flow"}
    safe = code.replace(b"$_POST['cmd']", b"escapeshellarg($_POST['cmd'])")
    assert scan(ruleset, tmp_path, safe) == {}


def test_a_small_page_without_a_named_sink_is_followed(ruleset: RuleSet, tmp_path: Path) -> None:
    # No trigger atom names a sink here; the page is small, calls a variable and reads the
    # request, so the stage runs the flow pass on it anyway.
    code = b"<?php $q = $_POST['q']; $n = 'sys' . $suffix; $n($q);"
    assert scan(ruleset, tmp_path, code) == {"T_VarCall_Post": "flow"}
    spaced = b"<?php $k = preg_replace($p, 'x', $_POST['k']); eval  ($k);"  # no atom spells it
    assert scan(ruleset, tmp_path, spaced) == {"T_Eval_Post": "flow"}
    assert scan(ruleset, tmp_path, code + b"\n<p>text</p>" * 400) == {}  # not a small page


def test_a_large_page_keeps_its_size_on_the_flow_layer(ruleset: RuleSet, tmp_path: Path) -> None:
    # The layer is a few lines; a rule for small pages must still see the page's size.
    code = b"<?php $cmd = $_POST['cmd']; echo shell_exec($cmd); ?>\n" + b"<p>text</p>\n" * 400
    assert scan(ruleset, tmp_path, code) == {"T_Exec_Post": "flow"}


def test_a_file_the_rules_already_match_is_not_followed(ruleset: RuleSet, tmp_path: Path) -> None:
    # The flow pass only restates; on a page with a finding it would add cost and nothing else.
    code = b"<?php eval($_POST['a']); $c = $_POST['c']; system($c);"
    assert scan(ruleset, tmp_path, code) == {"T_Eval_Post": ""}


def test_layers_over_the_input_bound_are_left_alone() -> None:
    code = b"<?php $c = $_POST['c']; system($c); ?>"
    assert flow_layer(code) is not None
    assert flow_layer(code + b" " * MAX_INPUT) is None


def test_the_lexer_keeps_offsets_and_reads_tags() -> None:
    page = b"<p>it's {</p><?php $a = '$x{'; /* } */ if (1) { f(); } ?>'"
    lexed = strip_comments(page)
    assert len(lexed.code) == len(page)
    assert b"it's" not in lexed.code and b"/*" not in lexed.code
    assert list(lexed.braces.items()) == [(page.index(b"{ f"), page.index(b"} ?>"))]
    assert lexed.strings == [(page.index(b"'$x"), page.index(b"; /*"))]


@pytest.mark.parametrize(
    "atom",
    [
        b"$a = $a . $_GET['x'];",
        b"system($a);",
        b"system(",
        b"$a(",
        b"function f($a) { f($a); }",
        b"'",
        b"/*",
        b"`$a`",
    ],
)
def test_hostile_repetition_costs_little(atom: bytes) -> None:
    # Every attacker-sized sweep is linear: a page of one atom repeated to the bound stays cheap.
    code = b"<?php $a = $_GET['x']; system($a); " + atom * (MAX_INPUT // len(atom) - 64)
    start = time.process_time()
    flow_layer(code[:MAX_INPUT])
    assert time.process_time() - start < 10  # a hang guard, not a benchmark (make bench-rules)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([b"<?php ", b"?>", b"$a", b" = ", b"$_GET['c']", b"system(",
                                 b"eval(", b")", b";", b"'", b'"', b"`", b"{", b"}", b"//",
                                 b"\n", b"/*", b"*/", b"function f($a)", b"f($a)", b"\\",
                                 b"foreach ($_POST as $k => $v)", b"list($a, $b) = ",
                                 b"file_put_contents(", b"copy(", b"fopen(", b"escapeshellcmd(",
                                 b"'.txt'", b" . ", b","]),
                max_size=80))  # fmt: skip
def test_flow_never_raises_and_writes_only_sinks(parts: list[bytes]) -> None:
    code = b"".join(parts)
    layer = flow_layer(code)
    if layer is not None:
        assert layer.startswith(b"<?php\n")
        # sink calls are written once each, a nested one inside its outer call
        assert len(layer) <= 8 + 2 * len(code) + 16 * code.count(b"$")


_REQUEST_BITS = st.lists(
    st.sampled_from(
        [
            b"$_get",
            b"$_post[",
            b"$_server['http_x']",
            b'$_server [ "query_string',
            b"$globals['_get",
            b"$http_post_vars",
            b"getenv('http_",
            b"getenv ( http_",
            b"php://input",
            b"getallheaders (",
            b"apache_request_headers(",
            b"filter_input(input_",
            b"filter_input_array ( input_",
            b"$_",
            b"$http_",
            b"getenv",
            b"filter_input",
            b"$_files",
            b"x",
            b" ",
            b"(",
            b"'",
            b"\n",
        ]
    ),
    max_size=12,
).map(b"".join)


@settings(max_examples=400, deadline=None)
@given(st.one_of(_REQUEST_BITS, st.binary(max_size=200).map(bytes.lower)))
def test_reads_request_is_the_source_regex(low: bytes) -> None:
    # the substring gate in front of the regex may only save work, never change the answer
    assert reads_request(low) == (SOURCE.search(low) is not None)


def test_a_closure_is_code_not_a_value_the_request_reaches() -> None:
    # The closure's `use` list names a tainted variable, but the variable holding the closure
    # is not request data: a closure written in place and called is the page's own code
    # (LiteCart's and Elgg's menus were written out as `$_POST['iterator'](..)`)
    page = b"""<?php
if (!empty($_GET['id'])) { $path = array_keys(tree::page($_GET['id'])->path); } else { $path = []; }
$walk = function($parent, $level) use (&$walk, &$path) {
  $out = [];
  $rows = db::query("select id from pages where parent = " . (int)$parent);
  while ($row = db::fetch($rows)) {
    if (in_array($row['id'], $path)) { $out[$row['id']] = $walk($row['id'], $level + 1); }
  }
  return $out;
};
$tree = $walk(0, 0);
"""
    assert flow_layer(page) is None


def test_a_closures_own_sink_still_reaches_the_request() -> None:
    page = b"<?php\n$c = $_GET['c'];\n$run = function () use ($c) { return shell_exec($c); };\necho $run();\n"
    out = flow_layer(page)
    assert out is not None and b"shell_exec($_POST['c'])" in out


def test_keyed_destructuring_carries_the_request() -> None:
    page = b"<?php\n['f' => $f, 'a' => $a] = $_POST;\n$f($a);\n"
    assert flow_layer(page) == b"<?php\n; $_POST['f']($_POST['a']);\n"
