//! The labelled cases for source, configuration and script files: credentials, backdoors,
//! encoders, obfuscation, encryption and the evasions a vendor might try. Each class named in
//! the scan-accuracy issue has positives and negatives here; compiled code is in `compiled.rs`.

#![allow(clippy::too_many_lines)] // lists of cases: data, one after the other

use std::fmt::Write as _;

use super::{Case, Gen};
use crate::common::ALNUM;

const B64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const UPPER: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const HEX: &str = "0123456789abcdef";

/// Plain Java that a hospital system is made of, around the line under test.
fn java(class: &str, body: &str) -> String {
    format!(
        "package com.acme.his.service;\n\nimport java.util.List;\n\n/** 门诊挂号服务 */\npublic class {class} {{\n    private final List<String> queue = new java.util.ArrayList<>();\n\n    public int size() {{\n        return queue.size();\n    }}\n\n{body}\n}}\n"
    )
}

pub fn cases() -> Vec<Case> {
    let mut g = Gen(0x5eed_acc0_u64);
    let mut v = Vec::new();
    credentials_found(&mut g, &mut v);
    credentials_not_found(&mut g, &mut v);
    keys_found(&mut g, &mut v);
    backdoors(&mut g, &mut v);
    libraries_and_dynamic_code(&mut g, &mut v);
    encoders(&mut g, &mut v);
    front_end(&mut g, &mut v);
    encryption(&mut g, &mut v);
    evasions(&mut g, &mut v);
    v
}

fn credentials_found(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "credential-hardcoded";
    let p = g.password();
    v.push(Case::new("credential/php-variable").file(
        "config/database.php",
        format!("<?php\n// 数据库配置\n$db_host = '10.1.2.3';\n$db_user = 'his';\n$db_pass = '{p}';\n$db_name = 'his';\n"),
    ).warn("config/database.php", c, None));
    let p = g.password();
    v.push(Case::new("credential/php-array").file(
        "app/config/db.php",
        format!("<?php\nreturn [\n    'host' => '127.0.0.1',\n    'username' => 'emr',\n    'password' => '{p}',\n];\n"),
    ).warn("app/config/db.php", c, None));
    let p = g.password();
    v.push(
        Case::new("credential/php-define")
            .file(
                "includes/config.inc.php",
                format!("<?php\ndefine('DB_HOST', 'localhost');\ndefine('DB_PASSWORD', '{p}');\n"),
            )
            .warn("includes/config.inc.php", c, None),
    );
    let p = g.password();
    v.push(Case::new("credential/shell-assignment").file(
        "deploy/backup.sh",
        format!("#!/bin/sh\n# 每日备份\ndbuser=root\ndbpass={p}\nmysqldump -u$dbuser -p$dbpass his > /backup/his.sql\n"),
    ).warn("deploy/backup.sh", c, None));
    let p = g.password();
    v.push(
        Case::new("credential/shell-export")
            .file(
                "scripts/restore.sh",
                format!("#!/bin/bash\nexport MYSQL_PWD={p}\nmysql -u root his < his.sql\n"),
            )
            .warn("scripts/restore.sh", c, None),
    );
    let p = g.password();
    v.push(Case::new("credential/perl").file(
        "tools/report.pl",
        format!("#!/usr/bin/perl\nuse DBI;\nmy $user = \"report\";\nmy $password = \"{p}\";\nmy $dbh = DBI->connect(\"dbi:Oracle:his\", $user, $password);\n"),
    ).warn("tools/report.pl", c, None));
    let p = g.password();
    v.push(Case::new("credential/druid-login-password").file(
        "src/main/resources/application.yml",
        format!("spring:\n  datasource:\n    druid:\n      stat-view-servlet:\n        enabled: true\n        login-username: admin\n        login-password: {p}\n"),
    ).warn("src/main/resources/application.yml", c, None));
    let p = g.password();
    v.push(Case::new("credential/redis-stackexchange").file(
        "HIS.Web/appsettings.json",
        format!("{{\n  \"ConnectionStrings\": {{\n    \"Redis\": \"10.0.0.5:6379,password={p},connectTimeout=5000,defaultDatabase=2\"\n  }}\n}}\n"),
    ).warn("HIS.Web/appsettings.json", c, None));
    v.push(Case::new("credential/weak-digits").file(
        "src/main/resources/jdbc.properties",
        "jdbc.driver=oracle.jdbc.OracleDriver\njdbc.url=jdbc:oracle:thin:@10.1.1.9:1521:his\njdbc.username=his\njdbc.password=123456\n",
    ).warn("src/main/resources/jdbc.properties", c, None));
    v.push(
        Case::new("credential/weak-word")
            .file(
                "src/main/resources/application-prod.properties",
                "spring.datasource.username=his\nspring.datasource.password=his@2023\n",
            )
            .warn("src/main/resources/application-prod.properties", c, None),
    );
    v.push(
        Case::new("credential/weak-admin")
            .file(
                "lis/conf/lis.ini",
                "[database]\nserver=10.2.0.8\nuser=sa\npassword=admin123\n",
            )
            .warn("lis/conf/lis.ini", c, None),
    );
    v.push(Case::new("credential/default-compose").file(
        "deploy/docker-compose.yml",
        "services:\n  couchdb:\n    image: couchdb:3\n    environment:\n      - COUCHDB_USER=admin\n      - COUCHDB_PASSWORD=password\n",
    ).warn("deploy/docker-compose.yml", c, None));
    v.push(
        Case::new("credential/default-url")
            .file(
                "deploy/sync.yml",
                "replication:\n  source: http://admin:password@10.1.1.5:5984/emr\n",
            )
            .warn("deploy/sync.yml", c, None),
    );
    v.push(
        Case::new("credential/default-root")
            .file(
                "deploy/mysql.env",
                "MYSQL_DATABASE=his\nMYSQL_ROOT_PASSWORD=root\n",
            )
            .warn("deploy/mysql.env", c, None),
    );
    let k = g.chars(ALNUM, 12);
    v.push(Case::new("credential/aliyun-12").file(
        "src/main/resources/oss.properties",
        format!("aliyun.oss.endpoint=oss-cn-hangzhou.aliyuncs.com\naliyun.oss.accessKeyId=LTAI{k}\n"),
    ).warn("src/main/resources/oss.properties", c, None));
    let k = g.chars(ALNUM, 20);
    v.push(
        Case::new("credential/aliyun-20")
            .file(
                "src/main/java/com/acme/his/sms/SmsConfig.java",
                java(
                    "SmsConfig",
                    &format!("    static final String ACCESS_KEY_ID = \"LTAI{k}\";"),
                ),
            )
            .warn("src/main/java/com/acme/his/sms/SmsConfig.java", c, None),
    );
    let (id, key) = (g.chars(ALNUM, 32), g.chars(ALNUM, 32));
    v.push(Case::new("credential/tencent").file(
        "config/cos.yml",
        format!("tencent:\n  cos:\n    region: ap-guangzhou\n    secretId: AKID{id}\n    secretKey: {key}\n"),
    ).warn("config/cos.yml", c, None));
    let (ak, sk) = (g.chars(UPPER, 20), g.chars(ALNUM, 40));
    v.push(Case::new("credential/huawei").file(
        "src/main/resources/obs.properties",
        format!("huaweicloud.obs.endpoint=https://obs.cn-north-4.myhuaweicloud.com\nhuaweicloud.obs.ak={ak}\nhuaweicloud.obs.sk={sk}\n"),
    ).warn("src/main/resources/obs.properties", c, None));
    let (ak, sk) = (g.chars(HEX, 32), g.chars(HEX, 32));
    v.push(
        Case::new("credential/baidu")
            .file(
                "config/bos.yml",
                format!("bce:\n  endpoint: https://bj.bcebos.com\n  ak: {ak}\n  sk: {sk}\n"),
            )
            .warn("config/bos.yml", c, None),
    );
    let p = g.password();
    v.push(
        Case::new("credential/properties-space-separator")
            .file(
                "conf/db.properties",
                format!("db.user  his\ndb.password  {p}\n"),
            )
            .warn("conf/db.properties", c, None),
    );
    let p = g.password();
    v.push(
        Case::new("credential/properties-colon")
            .file(
                "conf/pacs.properties",
                format!("pacs.db.user: pacs\npacs.db.password: {p}\n"),
            )
            .warn("conf/pacs.properties", c, None),
    );
    let p = g.password();
    v.push(
        Case::new("credential/properties-continued-key")
            .file(
                "conf/lis.properties",
                format!("lis.db.pass\\\n    word={p}\n"),
            )
            .warn("conf/lis.properties", c, None),
    );
    let p = g.password();
    v.push(
        Case::new("credential/properties-unicode-escape")
            .file(
                "conf/emr.properties",
                format!("emr.db.\\u0070assword={p}\n"),
            )
            .warn("conf/emr.properties", c, None),
    );
    let (a, b, cc) = (g.chars(ALNUM, 4), g.chars(ALNUM, 4), g.chars(ALNUM, 4));
    v.push(
        Case::new("credential/split-concatenation")
            .file(
                "src/main/java/com/acme/his/db/Conn.java",
                java(
                    "Conn",
                    &format!(
                        "    private static final String PASSWORD = \"{a}\" + \"{b}\" + \"{cc}!\";"
                    ),
                ),
            )
            .warn("src/main/java/com/acme/his/db/Conn.java", c, None),
    );
    let chars: Vec<String> = g.password().chars().map(|ch| format!("'{ch}'")).collect();
    v.push(
        Case::new("credential/char-array")
            .file(
                "src/main/java/com/acme/his/db/Keys.java",
                java(
                    "Keys",
                    &format!(
                        "    private static final char[] DB_PASSWORD = {{{}}};",
                        chars.join(", ")
                    ),
                ),
            )
            .warn("src/main/java/com/acme/his/db/Keys.java", c, None),
    );
    let rev: String = g.password().chars().rev().collect();
    v.push(Case::new("credential/reversed-builder").file(
        "src/main/java/com/acme/his/db/Secret.java",
        java("Secret", &format!("    private String password = new StringBuilder(\"{rev}\").reverse().toString();")),
    ).warn("src/main/java/com/acme/his/db/Secret.java", c, None));
    let p = g.password();
    v.push(Case::new("credential/connection-string").file(
        "HIS.Web/Web.config",
        format!("<configuration>\n  <connectionStrings>\n    <add name=\"His\" connectionString=\"Data Source=10.1.1.2;Initial Catalog=HIS;User ID=sa;Password={p};\" />\n  </connectionStrings>\n</configuration>\n"),
    ).warn("HIS.Web/Web.config", c, None));
}

fn credentials_not_found(g: &mut Gen, v: &mut Vec<Case>) {
    let _ = g;
    v.push(Case::new("clean/i18n-native2ascii").file(
        "src/main/resources/i18n/messages_zh_CN.properties",
        "login.username=\\u7528\\u6237\\u540d\nlogin.password=\\u5bc6\\u7801\nlogin.password.confirm=\\u786e\\u8ba4\\u5bc6\\u7801\n",
    ));
    v.push(Case::new("clean/i18n-chinese").file(
        "src/main/resources/messages_zh.properties",
        "user.password=密码\nuser.password.old=原密码\nuser.password.new=新密码\n",
    ));
    v.push(Case::new("clean/i18n-french-json").file(
        "web/src/locales/fr.json",
        "{\n  \"password\": \"Mot_de_passe\",\n  \"confirmPassword\": \"Confirmez_votre_mot_de_passe\",\n  \"login\": \"Connexion\"\n}\n",
    ));
    v.push(Case::new("clean/i18n-ts").file(
        "web/src/i18n/en-US.ts",
        "export default {\n  password: 'Password',\n  oldPassword: 'OldPassword',\n  apiKey: 'ApiKey',\n};\n",
    ));
    v.push(Case::new("clean/api-key-label").file(
        "web/src/lang/zh.json",
        "{\n  \"apiKey\": \"接口密钥\",\n  \"secretKey\": \"密钥\",\n  \"password\": \"密码\"\n}\n",
    ));
    v.push(Case::new("clean/setting-name-constants").file(
        "src/main/java/com/acme/his/config/Keys.java",
        java("Keys", "    public static final String GP_PASSWORD_MINIMUM_LENGTH = \"security.passwordMinimumLength\";\n    public static final String TRUST_STORE_PASSWORD = \"trustStorePassword\";\n    public static final String PASSWORD_KEY = \"password\";\n    public static final String SECRET_KEY_PARAM = \"secretKey\";"),
    ));
    v.push(Case::new("clean/runtime-reads").file(
        "src/main/java/com/acme/his/web/LoginController.java",
        java("LoginController", "    public void login(javax.servlet.http.HttpServletRequest request, java.util.Properties props) {\n        String password = request.getParameter(\"password\");\n        String dbPassword = props.getProperty(\"db.password\");\n        String envPassword = System.getenv(\"HIS_DB_PASSWORD\");\n    }\n    @org.springframework.beans.factory.annotation.Value(\"${db.password}\")\n    private String configuredPassword;"),
    ));
    v.push(Case::new("clean/python-runtime-reads").file(
        "hmis/models/user.py",
        "from odoo import fields, models\nimport os\n\nclass User(models.Model):\n    password = fields.Char(string='Password')\n    db_password = os.getenv('DB_PASSWORD')\n    api_key = config.get('api_key')\n",
    ));
    v.push(Case::new("clean/ci-permissions").file(
        ".github/workflows/build.yml",
        "name: build\non: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n",
    ));
    v.push(Case::new("clean/checkstyle-tokens").file(
        "config/checkstyle.xml",
        "<module name=\"Checker\">\n  <module name=\"TreeWalker\">\n    <module name=\"LeftCurly\">\n      <property name=\"tokens\" value=\"CLASS_DEF,METHOD_DEF,CTOR_DEF\"/>\n    </module>\n  </module>\n</module>\n",
    ));
    v.push(Case::new("clean/empty-password-attribute").file(
        "HIS.Client/App.config",
        "<configuration>\n  <connectionStrings>\n    <add name=\"Local\" connectionString=\"Server=.;Database=HIS;Integrated Security=True;Password=;Connect Timeout=30\" />\n  </connectionStrings>\n</configuration>\n",
    ));
    v.push(Case::new("clean/placeholders").file(
        "deploy/values.yaml",
        "db:\n  password: ${DB_PASSWORD}\n  adminPassword: <your-password>\nredis:\n  password: \"{{ .Values.redis.password }}\"\n",
    ));
    v.push(Case::new("clean/vue-comparisons").file(
        "web/src/views/Home.vue",
        "<template>\n  <div v-if=\"user == 'home'\">首页</div>\n  <div v-if=\"tab === 'password'\">修改密码</div>\n</template>\n<script>\nexport default {\n  computed: {\n    isLogin() { return this.$route.name === 'login' || this.user == 'admin' },\n  },\n}\n</script>\n",
    ));
    v.push(Case::new("clean/password-form-field").file(
        "web/src/views/Login.vue",
        "<template>\n  <el-form :model=\"form\">\n    <el-input v-model=\"form.password\" type=\"password\" placeholder=\"请输入密码\" />\n  </el-form>\n</template>\n<script>\nexport default {\n  data() { return { form: { username: '', password: '' } } },\n}\n</script>\n",
    ));
}

fn keys_found(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "credential-hardcoded";
    let part = |g: &mut Gen, n: usize| format!("{}==", g.chars(B64, n));
    let xml = |g: &mut Gen, open: &str, close: &str| {
        let mut s = format!("{open}RSAKeyValue{close}");
        for (t, n) in [
            ("Modulus", 170),
            ("P", 86),
            ("Q", 86),
            ("DP", 86),
            ("DQ", 86),
            ("InverseQ", 86),
            ("D", 170),
        ] {
            s.push_str(&format!("{open}{t}{close}{}{open}/{t}{close}", part(g, n)));
        }
        s.push_str(&format!(
            "{open}Exponent{close}AQAB{open}/Exponent{close}{open}/RSAKeyValue{close}"
        ));
        s
    };
    let k = xml(g, "<", ">");
    v.push(
        Case::new("key/dotnet-xml-file")
            .file("keys/private.xml", k)
            .warn("keys/private.xml", c, Some("dotnet-xml-private-key")),
    );
    let k = xml(g, "&lt;", "&gt;");
    v.push(Case::new("key/dotnet-xml-escaped-config").file(
        "HIS.Web/Web.config",
        format!("<configuration>\n  <appSettings>\n    <add key=\"LicenseKey\" value=\"{k}\" />\n  </appSettings>\n</configuration>\n"),
    ).warn("HIS.Web/Web.config", c, Some("dotnet-xml-private-key")));
    let k = xml(g, "<", ">");
    v.push(Case::new("key/dotnet-xml-csharp").file(
        "HIS.Core/Security/Rsa.cs",
        format!("namespace Acme.His.Security\n{{\n    public static class Rsa\n    {{\n        public const string PrivateKey = \"{k}\";\n    }}\n}}\n"),
    ).warn("HIS.Core/Security/Rsa.cs", c, Some("dotnet-xml-private-key")));
    for (id, label) in [
        ("rsa", "RSA PRIVATE KEY"),
        ("openssh", "OPENSSH PRIVATE KEY"),
        ("pkcs8", "PRIVATE KEY"),
    ] {
        let mut pem = format!("-----BEGIN {label}-----\r\n");
        for _ in 0..8 {
            pem.push_str(&g.chars(B64, 64));
            pem.push_str("\r\n");
        }
        pem.push_str(&format!("-----END {label}-----\r\n"));
        let path = format!("certs/{id}.key");
        v.push(
            Case::new(format!("key/pem-crlf-{id}"))
                .file(&path, pem)
                .warn(&path, c, Some("private-key")),
        );
    }
}

fn backdoors(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "backdoor-suspect";
    let p = g.password();
    v.push(Case::new("backdoor/master-password").file(
        "src/main/java/com/acme/his/auth/AuthService.java",
        java("AuthService", &format!("    public boolean check(String user, String password) {{\n        if (password.equals(\"{p}\")) {{\n            return true;\n        }}\n        return false;\n    }}")),
    ).warn("src/main/java/com/acme/his/auth/AuthService.java", c, None));
    v.push(Case::new("backdoor/date-kill-switch").file(
        "src/main/java/com/acme/his/Boot.java",
        java("Boot", "    public void start() throws Exception {\n        java.text.SimpleDateFormat sdf = new java.text.SimpleDateFormat(\"yyyy-MM-dd\");\n        if (new java.util.Date().after(sdf.parse(\"2026-12-31\"))) {\n            System.exit(0);\n        }\n    }"),
    ).warn("src/main/java/com/acme/his/Boot.java", c, None));
    v.push(Case::new("backdoor/remote-command").file(
        "src/main/java/com/acme/his/web/DebugServlet.java",
        java("DebugServlet", "    protected void doGet(javax.servlet.http.HttpServletRequest request) throws Exception {\n        Runtime.getRuntime().exec(request.getParameter(\"cmd\"));\n    }"),
    ).warn("src/main/java/com/acme/his/web/DebugServlet.java", c, None));
    v.push(Case::new("backdoor/script-engine").file(
        "src/main/java/com/acme/his/rule/RuleRunner.java",
        java("RuleRunner", "    public Object run(String script) throws Exception {\n        javax.script.ScriptEngine engine = new javax.script.ScriptEngineManager().getEngineByName(\"javascript\");\n        return engine.eval(script);\n    }"),
    ).warn("src/main/java/com/acme/his/rule/RuleRunner.java", c, None));
    v.push(Case::new("backdoor/js-new-function").file(
        "web/src/utils/formula.js",
        "export function run(body, args) {\n  const fn = new Function('args', body);\n  return fn(args);\n}\n",
    ).warn("web/src/utils/formula.js", c, None));
    v.push(
        Case::new("backdoor/python-exec-decoded")
            .file(
                "hmis/utils/loader.py",
                "import base64\n\ndef load(blob):\n    exec(base64.b64decode(blob))\n",
            )
            .warn("hmis/utils/loader.py", c, None),
    );
    v.push(Case::new("backdoor/csharp-compile").file(
        "HIS.Core/Scripting/Compiler.cs",
        "using System.CodeDom.Compiler;\nusing Microsoft.CSharp;\nnamespace Acme.His.Scripting\n{\n    public class Compiler\n    {\n        public CompilerResults Build(string code)\n        {\n            var provider = new CSharpCodeProvider();\n            return provider.CompileAssemblyFromSource(new CompilerParameters(), code);\n        }\n    }\n}\n",
    ).warn("HIS.Core/Scripting/Compiler.cs", c, None));
    v.push(Case::new("backdoor/trojan-source").file(
        "src/main/java/com/acme/his/auth/Access.java",
        java("Access", "    boolean isAdmin(String role) {\n        /* check role \u{202E} } if (true) { \u{2066} */\n        return \"admin\".equals(role);\n    }"),
    ).warn("src/main/java/com/acme/his/auth/Access.java", c, Some("trojan-source-bidi")));
    v.push(Case::new("clean/spring-festival-schedule").file(
        "src/main/java/com/acme/his/schedule/HolidayService.java",
        java("HolidayService", "    // 春节放假安排：除夕至初八门诊停诊\n    public boolean closed(java.util.Date today) throws Exception {\n        java.text.SimpleDateFormat sdf = new java.text.SimpleDateFormat(\"yyyy-MM-dd\");\n        if (today.after(sdf.parse(\"2026-02-15\")) && today.before(sdf.parse(\"2026-02-24\"))) {\n            return true;\n        }\n        return false;\n    }"),
    ));
    v.push(Case::new("clean/holiday-table").file(
        "web/src/config/holidays.js",
        "// 2026 年法定节假日（排班用）\nexport const holidays = [\n  { name: '春节', start: '2026-02-15', end: '2026-02-23' },\n  { name: '国庆节', start: '2026-10-01', end: '2026-10-07' },\n];\nexport function isHoliday(d) {\n  return holidays.some(h => d >= h.start && d <= h.end);\n}\n",
    ));
    v.push(Case::new("clean/eval-lookalikes").file(
        "web/src/utils/parse.js",
        "// never eval() user input: parse it\nexport function parse(text) {\n  const data = JSON.parse(text);\n  return evaluate(data) || retrieval(data);\n}\nfunction evaluate(d) { return d.score; }\nfunction retrieval(d) { return d.items; }\n",
    ));
    v.push(Case::new("clean/process-fixed-command").file(
        "src/main/java/com/acme/his/backup/Backup.java",
        java("Backup", "    public void run() throws Exception {\n        new ProcessBuilder(\"pg_dump\", \"-Fc\", \"his\").start();\n    }"),
    ));
}

/// Libraries and graded dynamic code.
fn libraries_and_dynamic_code(g: &mut Gen, v: &mut Vec<Case>) {
    // A minified jQuery EasyUI: its own password-box option, an eval of an option, right-to-left
    // text support. None of it is the vendor's.
    let mut lib = String::from("!function(t){\"use strict\";");
    for sig in [
        "EasyUI",
        "easyui-",
        "datagrid-",
        "combobox-",
        "panel-header",
    ] {
        for _ in 0..30 {
            lib.push_str(&format!(
                "t.fn.{}=function(e){{return this.each(function(){{}})}};",
                g.chars("abcdefghijklmnopqrstuvwxyz", 6)
            ));
        }
        lib.push_str(&format!("var c{}=\"{sig}\";", g.chars("abcdef", 3)));
    }
    lib.push_str("}(jQuery);\n$.fn.passwordbox.defaults=$.extend({},$.fn.textbox.defaults,{passwordChar:\"%u25CF\",checkInterval:200});\nvar fn=eval(opts.onLoad);\nvar rtl=\"\u{202B}\";\n");
    v.push(Case::new("clean/library-own-options").file("web/lib/easyui/jquery.easyui.min.js", lib));
    v.push(
        Case::new("backdoor/js-eval-decoded")
            .file(
                "web/src/loader.js",
                "export function run(opts) {\n  return eval(atob(opts.code));\n}\n",
            )
            .warn(
                "web/src/loader.js",
                "backdoor-suspect",
                Some("dynamic-code-js"),
            ),
    );
    v.push(
        Case::new("review/js-eval-variable")
            .file(
                "web/js/grid.js",
                "function load(res) {\n  var data = eval(res.json);\n  return data.rows;\n}\n",
            )
            .maybe("web/js/grid.js", "backdoor-suspect"),
    );
}

fn encoders(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "source-encoded";
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-eval-gzinflate")
            .file(
                "app/lib/license.php",
                format!("<?php\neval(gzinflate(base64_decode('{blob}')));\n"),
            )
            .expect("app/lib/license.php", c, None),
    );
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-eval-variable-function")
            .file(
                "app/lib/boot.php",
                format!("<?php\n$f = 'base' . '64_decode';\n$d = '{blob}';\neval($f($d));\n"),
            )
            .expect("app/lib/boot.php", c, None),
    );
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-eval-comment")
            .file(
                "app/lib/init.php",
                format!("<?php\neval/**/(gzinflate(base64_decode('{blob}')));\n"),
            )
            .expect("app/lib/init.php", c, None),
    );
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-assert")
            .file(
                "app/lib/check.php",
                format!("<?php\n@assert(gzinflate(base64_decode('{blob}')));\n"),
            )
            .expect("app/lib/check.php", c, None),
    );
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-inc")
            .file(
                "app/include/common.inc",
                format!("<?php\neval(gzinflate(base64_decode('{blob}')));\n"),
            )
            .expect("app/include/common.inc", c, None),
    );
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("encoded/php-phtml")
            .file(
                "app/view/index.phtml",
                format!("<html><body><?php eval(base64_decode('{blob}')); ?></body></html>\n"),
            )
            .expect("app/view/index.phtml", c, None),
    );
    v.push(Case::new("encoded/ioncube").file(
        "app/lib/core.php",
        format!("<?php //0046a\nif(!extension_loaded('ionCube Loader')){{die('The ionCube Loader is required');}}\n?>\n{}\n", g.chars(B64, 800)),
    ).expect("app/lib/core.php", c, Some("ioncube")));
    v.push(Case::new("clean/php-base64-data").file(
        "app/lib/image.php",
        "<?php\nfunction logo() {\n    // the logo, embedded\n    return base64_decode(file_get_contents(__DIR__ . '/logo.b64'));\n}\n",
    ));
}

/// javascript-obfuscator's compact output: a string array, its rotation, a decoder, `_0x`
/// names and hexadecimal literals on one line.
fn obfuscated_js(g: &mut Gen, mangled: bool, hex_names: bool) -> String {
    let name = |g: &mut Gen, i: usize| -> String {
        if hex_names {
            format!("_0x{}", g.chars(HEX, 6))
        } else if mangled {
            ["a", "b", "c", "d", "e", "f", "g", "h"][i % 8].to_owned()
        } else {
            format!(
                "{}{}",
                g.chars("abcdefghijklmnopqrstuvwxyz", 1),
                g.chars(ALNUM, 5)
            )
        }
    };
    let arr = name(g, 0);
    let dec = name(g, 1);
    let strings: Vec<String> = (0..40)
        .map(|_| format!("'{}'", g.chars(ALNUM, 8)))
        .collect();
    let mut s = format!(
        "var {arr}=[{}];(function({p},{q}){{var {r}=function({t}){{while(--{t}){{{p}['push']({p}['shift']());}}}};{r}(++{q});}}({arr},0x1b3));var {dec}=function({p},{q}){{{p}={p}-0x0;var {r}={arr}[{p}];return {r};}};",
        strings.join(","),
        p = name(g, 2),
        q = name(g, 3),
        r = name(g, 4),
        t = name(g, 5),
    );
    for i in 0..60 {
        let f = name(g, i + 2);
        s.push_str(&format!(
            "function {f}({x}){{var {y}={dec}('0x{:x}');return {x}[{dec}('0x{:x}')]({y},0x{:x});}}",
            i % 40,
            (i * 7) % 40,
            g.next() % 4096,
            x = name(g, i + 3),
            y = name(g, i + 4),
        ));
    }
    s
}

fn front_end(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "source-obfuscated";
    let js = obfuscated_js(g, false, true);
    v.push(
        Case::new("obfuscated/js-obfuscator-compact")
            .file("web/js/app.js", js)
            .expect("web/js/app.js", c, None),
    );
    let js = obfuscated_js(g, true, false);
    v.push(
        Case::new("obfuscated/js-obfuscator-mangled")
            .file("web/js/login.js", js)
            .expect("web/js/login.js", c, None),
    );
    let js = obfuscated_js(g, false, false);
    v.push(
        Case::new("obfuscated/js-string-array")
            .file("web/js/report.js", js)
            .expect("web/js/report.js", c, None),
    );
    // A GBK code table written as \x escapes: data, not obfuscation.
    let (gbk, _, _) = encoding_rs::GBK.encode("啊阿埃挨哎唉哀皑癌蔼矮艾碍爱隘鞍氨安俺按暗岸胺案肮昂盎凹敖熬翱袄傲奥懊澳芭捌扒叭吧笆八疤巴拔跋靶把耙坝霸罢爸白柏百摆佰败拜稗斑班搬扳般颁板版扮拌伴瓣半办绊邦帮梆榜膀绑棒磅蚌镑傍谤苞胞包褒剥");
    let escaped = hex_escape(&gbk);
    v.push(Case::new("clean/gbk-escape-table").file(
        "web/js/pinyin.js",
        format!("// GBK 汉字编码表（拼音检索用）\nvar GBK_TABLE = \"{escaped}\";\nvar GBK_TABLE2 = \"{escaped}\";\nvar GBK_TABLE3 = \"{escaped}\";\nfunction code(i) {{ return GBK_TABLE.charCodeAt(i); }}\n"),
    ));
    // Escaped code is obfuscation.
    let word = |w: &str| -> String { hex_escape(w.as_bytes()) };
    let mut esc = String::new();
    for w in [
        "eval",
        "document",
        "cookie",
        "location",
        "href",
        "XMLHttpRequest",
        "open",
        "send",
        "userAgent",
        "fromCharCode",
        "split",
        "reverse",
        "join",
        "charCodeAt",
    ] {
        esc.push_str(&format!(
            "window[\"{}\"]=\"{}\";\n",
            word(w),
            word(&format!("{w}{}", g.chars(ALNUM, 3)))
        ));
    }
    v.push(
        Case::new("obfuscated/hex-escaped-code")
            .file("web/js/track.js", esc)
            .expect("web/js/track.js", c, None),
    );
    // A first-party bundle with its sources delivered.
    let mut min = String::new();
    for i in 0..400 {
        min.push_str(&format!("function f{i}(a,b){{return a+b*{i}}};"));
    }
    v.push(
        Case::new("clean/bundle-with-sources")
            .file("web/dist/app.min.js", &min)
            .file(
                "web/src/main.js",
                "import App from './App.vue';\nnew Vue({ render: h => h(App) }).$mount('#app');\n",
            )
            .file(
                "web/src/App.vue",
                "<template><div id=\"app\"></div></template>\n",
            )
            .file("web/src/router.js", "export default [];\n"),
    );
}

fn encryption(g: &mut Gen, v: &mut Vec<Case>) {
    let c = "file-encrypted";
    let src = "src/main/java/com/acme/his/App.java";
    let app = java("App", "    public static void main(String[] a) {}");
    v.push(
        Case::new("encrypted/random-dat")
            .file(src, &app)
            .file("src/main/resources/rules.dat", g.bytes(64 * 1024))
            .warn("src/main/resources/rules.dat", c, None),
    );
    v.push(
        Case::new("encrypted/random-named-png")
            .file(src, &app)
            .file("src/main/resources/static/logo.png", g.bytes(64 * 1024))
            .expect("src/main/resources/static/logo.png", c, None),
    );
    v.push(
        Case::new("encrypted/random-no-extension")
            .file(src, &app)
            .file("src/main/resources/core", g.bytes(64 * 1024))
            .warn("src/main/resources/core", c, None),
    );
    v.push(
        Case::new("encrypted/random-java")
            .file("src/main/java/com/acme/his/Core.java", g.bytes(16 * 1024))
            .expect("src/main/java/com/acme/his/Core.java", c, None),
    );
    // A real PNG: signature, IHDR, and compressed (random-looking) image data.
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend_from_slice(&[0x5c, 0x72, 0xa8, 0x66]);
    png.extend_from_slice(&(64u32 * 1024).to_be_bytes());
    png.extend_from_slice(b"IDAT");
    png.extend(g.bytes(64 * 1024));
    png.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    v.push(
        Case::new("clean/real-png")
            .file(src, &app)
            .file("src/main/resources/static/banner.png", png),
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &g.bytes(32 * 1024)).unwrap();
    v.push(
        Case::new("clean/real-gzip")
            .file(src, &app)
            .file("db/seed.sql.gz", gz.finish().unwrap()),
    );
}

fn evasions(g: &mut Gen, v: &mut Vec<Case>) {
    let p = g.password();
    v.push(Case::new("evasion/java-as-txt").file(
        "src/main/java/com/acme/his/auth/Login.txt",
        java("Login", &format!("    public boolean check(String user, String password) {{\n        if (password.equals(\"{p}\")) {{\n            return true;\n        }}\n        return false;\n    }}")),
    ).warn("src/main/java/com/acme/his/auth/Login.txt", "backdoor-suspect", None));
    v.push(Case::new("evasion/java-as-jav").file(
        "src/main/java/com/acme/his/web/Debug.jav",
        java("Debug", "    protected void doGet(javax.servlet.http.HttpServletRequest request) throws Exception {\n        Runtime.getRuntime().exec(request.getParameter(\"cmd\"));\n    }"),
    ).warn("src/main/java/com/acme/his/web/Debug.jav", "backdoor-suspect", None));
    let blob = g.chars(B64, 400);
    v.push(
        Case::new("evasion/php-no-extension")
            .file(
                "app/lib/loader",
                format!("<?php\neval(gzinflate(base64_decode('{blob}')));\n"),
            )
            .expect("app/lib/loader", "source-encoded", None),
    );
    // UTF-16 LE without a BOM, after more than 8 KiB of Chinese comments.
    let p = g.password();
    let mut text = String::from("namespace Acme.His.Data\n{\n");
    for i in 0..400 {
        text.push_str(&format!("    // 说明第{i}行：本模块负责住院结算\n"));
    }
    text.push_str(&format!("    public static class Db\n    {{\n        public const string ConnectionString = \"Server=10.1.1.2;Database=HIS;User Id=sa;Password={p};\";\n    }}\n}}\n"));
    let utf16: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    v.push(
        Case::new("evasion/utf16-without-bom")
            .file("HIS.Data/Db.cs", utf16)
            .warn("HIS.Data/Db.cs", "credential-hardcoded", None),
    );
    // GBK configuration with Chinese comments.
    let p = g.password();
    let text = format!(
        "# 数据库连接配置（生产环境）\ndb.url=jdbc:oracle:thin:@10.1.1.9:1521:his\n# 密码\ndb.password={p}\n"
    );
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    v.push(
        Case::new("evasion/gbk-config")
            .file("conf/his.properties", &*gbk)
            .warn("conf/his.properties", "credential-hardcoded", None),
    );
    // A Python file declared as UTF-7: its quotes are encoded.
    let p = g.password();
    v.push(Case::new("evasion/python-utf7").file(
        "hmis/settings_local.py",
        format!("# -*- coding: utf-7 -*-\nDB_HOST +AD0- +ACI-10.1.1.3+ACI-\nDB_PASSWORD +AD0- +ACI-{}+ACI-\n", p.replace('!', "+ACE-").replace('@', "+AEA-").replace('#', "+ACM-").replace('%', "+ACU-")),
    ).warn("hmis/settings_local.py", "credential-hardcoded", None));
    // Git LFS pointers: the real content was never delivered.
    v.push(
        Case::new("evasion/lfs-pointer")
            .file(
                "lib/his-core.jar",
                format!(
                    "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 1843211\n",
                    g.chars(HEX, 64)
                ),
            )
            .expect("lib/his-core.jar", "git-lfs-pointer", None),
    );
}

/// Bytes written as `\xNN` escapes.
fn hex_escape(b: &[u8]) -> String {
    b.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "\\x{b:02x}");
        s
    })
}
