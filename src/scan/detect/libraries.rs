//! Well-known third-party front-end libraries, identified by their content: strings every build
//! of a library holds (its global names, internal markers, its own error messages). A file
//! identified as a library is treated as vendored code: it is not reported as a minified bundle
//! without source, nor for packer output or escaped strings. It is identified by what it holds,
//! never by its name, and javascript-obfuscator structure is reported in it all the same.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

/// One library: its name, the strings its builds hold, and how many different ones a file must
/// hold to be identified as it.
struct Library {
    name: &'static str,
    signatures: &'static [&'static str],
    min: usize,
}

const fn lib(name: &'static str, signatures: &'static [&'static str], min: usize) -> Library {
    Library {
        name,
        signatures,
        min,
    }
}

/// The libraries known. The signatures are internal to each library (class names it creates,
/// keys it sets, its error messages), so that code merely calling the library is not taken
/// for it.
const LIBRARIES: &[Library] = &[
    lib(
        "ECharts",
        &[
            "_echarts_instance_",
            "zrender",
            "__ec_inner_",
            "ec-",
            "echarts",
        ],
        3,
    ),
    lib(
        "My97 DatePicker",
        &["My97", "WdatePicker", "My97Mark", "dpDate", "$dp"],
        2,
    ),
    lib(
        "jQuery",
        &[
            "jQuery requires a window with a document",
            "Syntax error, unrecognized expression: ",
            "Sizzle",
            "jQuery",
        ],
        3,
    ),
    lib(
        "jQuery UI",
        &["jQuery UI", "ui-widget", "ui-state-", "$.widget"],
        3,
    ),
    lib(
        "jQuery Validation Plugin",
        &[
            "jQuery Validation Plugin",
            "This field is required.",
            "validator.methods",
            "$.validator",
        ],
        3,
    ),
    lib(
        "jQuery EasyUI",
        &[
            "EasyUI",
            "easyui-",
            "datagrid-",
            "combobox-",
            "panel-header",
        ],
        3,
    ),
    lib(
        "layui",
        &[
            "layui-layer-shade",
            "layui-layer-content",
            "layer-anim",
            "layui-laydate",
            "layui.define",
        ],
        3,
    ),
    lib(
        "Vue",
        &[
            "__VUE_DEVTOOLS_GLOBAL_HOOK__",
            "__v_skip",
            "__v_isRef",
            "_isVue",
            "__vue__",
            "Vue.js v",
        ],
        3,
    ),
    lib(
        "React",
        &[
            "__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED",
            "Minified React error #",
            "reactjs.org/docs/error-decoder",
            "react.production.min.js",
            "react.dev/errors/",
        ],
        2,
    ),
    lib(
        "AngularJS",
        &[
            "AngularJS v",
            "errors.angularjs.org",
            "$rootScope",
            "ng-app",
        ],
        3,
    ),
    lib("Angular", &["ɵcmp", "ɵfac", "ɵmod", "ng-version"], 3),
    lib(
        "element-ui",
        &[
            "ElementUI",
            "el-message-box",
            "el-table__body",
            "el-select-dropdown",
        ],
        3,
    ),
    lib(
        "ant-design-vue",
        &["ant-design-vue", "getPrefixCls", "ant-btn", "ant-design"],
        3,
    ),
    lib(
        "lodash",
        &[
            "__lodash_hash_undefined__",
            "__lodash_placeholder__",
            "lodash",
            "Expected a function",
        ],
        3,
    ),
    lib(
        "Moment.js",
        &[
            "_isAMomentObject",
            "value provided is not in a recognized RFC2822 or ISO format",
            "momentjs.com",
            "moment",
        ],
        3,
    ),
    lib(
        "axios",
        &[
            "isAxiosError",
            "Request failed with status code",
            "X-XSRF-TOKEN",
            "axios",
        ],
        3,
    ),
    lib(
        "zTree",
        &["switch_open", "ico_docu", "zTree", "treeNode"],
        3,
    ),
    lib(
        "Ext JS",
        &[
            "Ext.versions",
            "x-border-box",
            "Ext.define",
            "Ext.ClassManager",
            "Sencha",
        ],
        3,
    ),
    lib(
        "Highcharts",
        &[
            "highcharts-container",
            "www.highcharts.com",
            "Highcharts",
            "highcharts-root",
        ],
        3,
    ),
    lib(
        "Chart.js",
        &[
            "chartjs-size-monitor",
            "chartjs-render-monitor",
            "www.chartjs.org",
            "Chart.js",
        ],
        2,
    ),
    lib("d3", &["d3js.org", "__data__", "__on", "__transition"], 3),
    lib(
        "PDF.js",
        &["pdfjsLib", "pdfjs-dist", "PDFJS", "pdf.worker"],
        2,
    ),
    lib(
        "UEditor",
        &["baidu.editor", "UE.Editor", "edui-", "UEditor"],
        3,
    ),
    lib(
        "KindEditor",
        &["KindEditor", "ke-container", "ke-toolbar", "kindsoft.net"],
        3,
    ),
    lib(
        "wangEditor",
        &["wangEditor", "w-e-text", "w-e-toolbar", "wangeditor"],
        3,
    ),
    lib(
        "CKEditor",
        &["CKSource", "cke_", "CKEDITOR", "ckeditor.com"],
        3,
    ),
    lib(
        "DataTables",
        &[
            "dataTables_wrapper",
            "dataTables_empty",
            "datatables.net",
            "DataTables",
        ],
        3,
    ),
    lib(
        "Select2",
        &[
            "select2-container",
            "select2-selection",
            "select2-results",
            "Select2",
        ],
        3,
    ),
    lib(
        "SheetJS",
        &[
            "SheetJS",
            "xl/workbook.xml",
            "[Content_Types].xml",
            "sheet_to_json",
        ],
        3,
    ),
    lib(
        "html2canvas",
        &[
            "html2canvas",
            "html2canvas-container",
            "data-html2canvas-ignore",
            "html2canvas-object",
        ],
        3,
    ),
    lib("jsPDF", &["jsPDF", "/Producer", "%PDF-", "jspdf"], 3),
    lib(
        "crypto-js",
        &[
            "CryptoJS",
            "Malformed UTF-8 data",
            "Native crypto module could not be used to get secure random number.",
            "crypto-js",
        ],
        2,
    ),
    lib(
        "jsencrypt",
        &["JSEncrypt", "RSAKey", "BigInteger", "ASN1"],
        3,
    ),
    lib(
        "Bootstrap",
        &[
            "getbootstrap.com",
            "bs.modal",
            "bs.tooltip",
            "Bootstrap's JavaScript requires",
        ],
        2,
    ),
    lib(
        "Bootstrap (CSS)",
        &[
            "getbootstrap.com",
            ".col-md-",
            ".col-lg-",
            ".col-xs-",
            ".btn-primary",
            ".navbar-",
            ".glyphicon-",
        ],
        4,
    ),
    lib(
        "Font Awesome",
        &[
            "fontawesome-webfont",
            "Font Awesome",
            "FontAwesome",
            "fa-spin",
        ],
        2,
    ),
];

/// Bytes read around a signature for the library's version.
const VERSION_WINDOW: usize = 400;

fn automaton() -> &'static (AhoCorasick, Vec<(usize, usize)>) {
    static AC: OnceLock<(AhoCorasick, Vec<(usize, usize)>)> = OnceLock::new();
    AC.get_or_init(|| {
        let mut words = Vec::new();
        let mut owners = Vec::new();
        for (li, l) in LIBRARIES.iter().enumerate() {
            for (si, s) in l.signatures.iter().enumerate() {
                words.push(*s);
                owners.push((li, si));
            }
        }
        (
            AhoCorasick::new(words).expect("signatures are plain strings"),
            owners,
        )
    })
}

fn version_regex() -> &'static regex::bytes::Regex {
    static RE: OnceLock<regex::bytes::Regex> = OnceLock::new();
    RE.get_or_init(|| {
        regex::bytes::Regex::new(
            r#"(?i)(?:version|\bver|\bv)["']?\s*[:=]?\s*["']?v?(\d{1,2}\.\d{1,3}\.\d{1,4})\b"#,
        )
        .expect("valid regex")
    })
}

/// The library a JavaScript or CSS file is, from its content: its name and, when the file
/// says it, its version (`ECharts 5.4.3`).
pub(in crate::scan) fn identify(text: &[u8]) -> Option<String> {
    known(text).or_else(|| jquery_plugin(text).then(|| "jQuery plugin".to_owned()))
}

/// Whether a file's path names the library it was identified as: a word of the library's name
/// (`echarts`, `jquery`, `easyui`, `vue`) or one of its usual file names (`WdatePicker` for
/// My97, `xlsx` for SheetJS), in the file's name or a folder's. Content and name must agree
/// before a file is treated as the library: a vendor's own file that mentions a library
/// (`import CryptoJS from 'crypto-js'`, a call to `WdatePicker(…)`) is not the library.
pub(in crate::scan) fn named_as(library: &str, path: &[u8]) -> bool {
    const ALIASES: &[(&str, &[&str])] = &[
        (
            "My97 DatePicker",
            &["wdatepicker", "datepicker", "calendar", "my97"],
        ),
        ("SheetJS", &["xlsx", "sheetjs"]),
        ("PDF.js", &["pdf"]),
        ("Font Awesome", &["fontawesome", "awesome"]),
        ("Ext JS", &["extjs", "ext"]),
        ("jQuery plugin", &["jquery", "plugin", "plugins"]),
        ("Bootstrap (CSS)", &["bootstrap"]),
        ("Moment.js", &["moment"]),
        ("Chart.js", &["chart"]),
        ("ant-design-vue", &["antd", "ant"]),
    ];
    let hay: String = String::from_utf8_lossy(path)
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    let base = library
        .split(' ')
        .take_while(|w| !w.starts_with(|c: char| c.is_ascii_digit()));
    let base: Vec<&str> = base.collect();
    let name = base.join(" ");
    let words = name
        .to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 3 && *w != "plugin" && *w != "css")
        .map(str::to_owned)
        .collect::<Vec<String>>();
    let aliases = ALIASES
        .iter()
        .filter(|(n, _)| *n == name)
        .flat_map(|(_, a)| a.iter().map(|s| (*s).to_owned()));
    words.into_iter().chain(aliases).any(|w| hay.contains(&w))
}

/// One of [`LIBRARIES`], by its signatures.
fn known(text: &[u8]) -> Option<String> {
    let (ac, owners) = automaton();
    // Per library: which signatures were seen, and where the first one was.
    let mut seen: Vec<(u32, usize)> = vec![(0, usize::MAX); LIBRARIES.len()];
    for m in ac.find_overlapping_iter(text) {
        let (li, si) = owners[m.pattern().as_usize()];
        let s = &mut seen[li];
        s.0 |= 1 << si;
        s.1 = s.1.min(m.start());
    }
    let (li, (_, first)) = seen
        .iter()
        .enumerate()
        .filter(|(li, (bits, _))| bits.count_ones() as usize >= LIBRARIES[*li].min)
        .max_by_key(|(li, (bits, _))| {
            (
                bits.count_ones() as usize * 100 / LIBRARIES[*li].signatures.len(),
                std::cmp::Reverse(*li),
            )
        })?;
    let name = LIBRARIES[li].name;
    Some(match version(text, *first) {
        Some(v) => format!("{name} {v}"),
        None => name.to_owned(),
    })
}

/// A published jQuery plugin: a leading comment that says so (`jQuery … plugin`, `jQuery 插件`)
/// over code that adds to `$.fn`.
fn jquery_plugin(text: &[u8]) -> bool {
    let head = String::from_utf8_lossy(&text[..text.len().min(2048)]).to_lowercase();
    let head = head.trim_start();
    let comment = if head.starts_with("/*") {
        head.find("*/").map_or(head, |e| &head[..e])
    } else if head.starts_with("//") {
        head.lines().next().unwrap_or("")
    } else {
        return false;
    };
    comment.contains("jquery")
        && (comment.contains("plugin") || comment.contains("插件"))
        && memchr::memmem::find(text, b".fn.").is_some()
}

/// The library's version: in its banner (the first lines), or by a `version` near a signature.
fn version(text: &[u8], near: usize) -> Option<String> {
    let head = &text[..text.len().min(VERSION_WINDOW)];
    let from = near.saturating_sub(VERSION_WINDOW);
    let to = near.saturating_add(VERSION_WINDOW).min(text.len());
    [head, &text[from..to]].into_iter().find_map(|t| {
        version_regex()
            .captures(t)
            .and_then(|c| c.get(1))
            .map(|m| String::from_utf8_lossy(m.as_bytes()).into_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_by_content() {
        let echarts = b"!function(t,e){}(this,function(t){var v=\"5.4.3\";t.version=v;\
            var k=\"_echarts_instance_\";t.dependencies={zrender:\"5.4.4\"};t.name=\"echarts\"})";
        assert_eq!(identify(echarts).as_deref(), Some("ECharts 5.4.3"));
        let my97 = b"eval(function(p,a,c,k,e,d){return p}('0 1',2,2,'My97|WdatePicker|dpDate|$dp'.split('|'),0,{}))";
        assert_eq!(identify(my97).as_deref(), Some("My97 DatePicker"));
        assert!(named_as(
            "My97 DatePicker",
            b"web/My97DatePicker/WdatePicker.js"
        ));
        assert!(named_as("ECharts 5.4.3", b"static/lib/echarts.min.js"));
        assert!(named_as(
            "jQuery EasyUI",
            b"web/lib/easyui/jquery.easyui.min.js"
        ));
        assert!(!named_as("crypto-js", b"web/src/login.js"));
        assert!(!named_as("My97 DatePicker", b"web/js/app.js"));
        // Code that calls a library is not the library.
        assert_eq!(identify(b"var c=echarts.init(el);c.setOption({});"), None);
        assert_eq!(identify(b"$('#d').datagrid({url:'/x'});"), None);
        // A published jQuery plugin says so in its first comment.
        let plugin = b"/* jQuery treeTable plugin 3.0 */\n(function($){$.fn.treeTable=function(o){return this}})(jQuery);";
        assert_eq!(identify(plugin).as_deref(), Some("jQuery plugin"));
        assert_eq!(identify(&plugin[34..]), None);
    }

    #[test]
    fn signatures_fit_the_bit_set() {
        assert!(LIBRARIES.iter().all(|l| l.signatures.len() <= 32));
        assert!(
            LIBRARIES
                .iter()
                .all(|l| l.min >= 2 && l.min <= l.signatures.len())
        );
    }
}
