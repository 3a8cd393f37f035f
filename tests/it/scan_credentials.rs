//! Hard-coded credentials, measured on a labelled corpus: passwords in PHP, shell, Perl, .env,
//! Druid and Redis settings, weak and default passwords, Chinese cloud keys (Alibaba, Tencent,
//! Huawei, Baidu) and `.properties` evasions must be found; translations, names of settings,
//! values read at run time, placeholders and ordinary code must not. Every secret is made at
//! test time and must never appear in any output.

use std::collections::BTreeMap;

use crate::common::*;

const MANIFEST: &str = MODULE_MANIFEST;

const HEX: &str = "0123456789abcdef";
const UPPER_DIGITS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// One labelled line of the corpus: a credential to find (`rule`, and whether it is weak), or
/// a line that must not be reported (`rule` empty).
struct Case {
    path: String,
    /// Text on the line in question (its first occurrence in the file).
    needle: String,
    rule: &'static str,
    weak: bool,
}

struct Corpus {
    files: BTreeMap<String, String>,
    cases: Vec<Case>,
    secrets: Vec<String>,
}

impl Corpus {
    fn file(&mut self, path: &str, text: String) {
        self.files.insert(path.to_owned(), text);
    }
    fn found(&mut self, path: &str, needle: &str, rule: &'static str) {
        self.case(path, needle, rule, false);
    }
    fn weak(&mut self, path: &str, needle: &str, rule: &'static str) {
        self.case(path, needle, rule, true);
    }
    fn case(&mut self, path: &str, needle: &str, rule: &'static str, weak: bool) {
        self.cases.push(Case {
            path: path.to_owned(),
            needle: needle.to_owned(),
            rule,
            weak,
        });
    }
    fn line(&self, c: &Case) -> u64 {
        let text = &self.files[&c.path];
        let at = text
            .find(&c.needle)
            .unwrap_or_else(|| panic!("{:?} not in {}", c.needle, c.path));
        1 + text[..at].matches('\n').count() as u64
    }
    fn secret(&mut self, s: String) -> String {
        self.secrets.push(s.clone());
        s
    }
}

/// Passwords in PHP, shell, Perl, .env, Druid and StackExchange.Redis settings.
fn passwords(c: &mut Corpus, g: &mut Gen) {
    let s: Vec<String> = (0..10).map(|_| c.secret(g.password())).collect();
    c.file(
        "his-web/config/database.php",
        format!(
            "<?php\n// HIS database\n$db_host = '10.1.2.3';\n$db_user = 'his';\n$db_pass = '{}';\n$conn = mysqli_connect($db_host, $db_user, $db_pass);\n",
            s[0]
        ),
    );
    c.found(
        "his-web/config/database.php",
        "$db_pass = '",
        "code-password",
    );
    c.file(
        "his-web/config/app.php",
        format!(
            "<?php\nreturn [\n    'mysql' => [\n        'host' => '10.1.2.3',\n        'username' => 'his',\n        'password' => '{}',\n        'charset' => 'utf8mb4',\n    ],\n];\n",
            s[1]
        ),
    );
    c.found("his-web/config/app.php", "'password' =>", "code-password");
    c.file(
        "his-web/config.inc.php",
        format!(
            "<?php\ndefine('DB_HOST', 'localhost');\ndefine('DB_PASSWORD', '{}');\n",
            s[2]
        ),
    );
    c.found(
        "his-web/config.inc.php",
        "DB_PASSWORD",
        "php-define-password",
    );
    c.file(
        "deploy/.env",
        format!(
            "APP_ENV=production\nDB_HOST=10.1.2.3\ndbpass={}\nADMIN_PASSWORD=admin123\nDB_PASSWORD=${{DB_PASSWORD}}\nREDIS_PASSWORD=\n",
            s[3]
        ),
    );
    c.found("deploy/.env", "dbpass=", "config-password");
    c.weak("deploy/.env", "ADMIN_PASSWORD", "config-password");
    c.file(
        "deploy/backup.sh",
        format!(
            "#!/bin/sh\nset -e\nexport MYSQL_PWD={}\nmysqldump -uroot his > /backup/his.sql\nPGPASSWORD={} psql -h db -U his -c 'select 1'\nPGPASSWORD=\"$PGPASS\" psql -h db\n",
            s[4], s[5]
        ),
    );
    c.found("deploy/backup.sh", "MYSQL_PWD", "shell-password");
    c.found("deploy/backup.sh", "PGPASSWORD=", "shell-password");
    c.file(
        "tools/sync.pl",
        format!(
            "#!/usr/bin/perl\nuse DBI;\nmy $user = \"his\";\nmy $password = \"{}\";\nmy $dbh = DBI->connect($dsn, $user, $password);\n",
            s[6]
        ),
    );
    c.found("tools/sync.pl", "my $password", "code-password");
    c.file(
        "his-admin/src/main/resources/application.properties",
        format!(
            "spring.datasource.druid.stat-view-servlet.enabled=true\nspring.datasource.druid.stat-view-servlet.login-username=admin\nspring.datasource.druid.stat-view-servlet.login-password={}\nspring.security.user.password=${{ADMIN_PASSWORD}}\nlabel.password=\\u5bc6\\u7801\n",
            s[7]
        ),
    );
    c.found(
        "his-admin/src/main/resources/application.properties",
        "login-password",
        "config-password",
    );
    c.file(
        "his-admin/src/main/resources/application-druid.yml",
        format!(
            "spring:\n  datasource:\n    druid:\n      stat-view-servlet:\n        login-username: admin\n        login-password: {}\n",
            s[8]
        ),
    );
    c.found(
        "his-admin/src/main/resources/application-druid.yml",
        "login-password",
        "config-password",
    );
    c.file(
        "his-api/appsettings.json",
        format!(
            "{{\n  \"ConnectionStrings\": {{\n    \"Redis\": \"10.1.2.3:6379,password={},connectTimeout=5000,defaultDatabase=0\"\n  }}\n}}\n",
            s[9]
        ),
    );
    c.found(
        "his-api/appsettings.json",
        "Redis",
        "connection-string-password",
    );
}

/// Weak and default passwords: reported, and said to be weak.
fn weak_and_default(c: &mut Corpus) {
    c.file(
        "conf/jdbc.properties",
        "jdbc.driver=com.mysql.cj.jdbc.Driver\njdbc.username=root\njdbc.password=123456\n".into(),
    );
    c.weak("conf/jdbc.properties", "jdbc.password", "config-password");
    c.file(
        "conf/application-prod.yml",
        "spring:\n  redis:\n    host: 10.1.2.4\n    password: password1\n".into(),
    );
    c.weak("conf/application-prod.yml", "password:", "config-password");
    c.file(
        "his-web/config/cache.php",
        "<?php\nreturn [\n    'redis' => [\n        'password' => 'his@2023',\n    ],\n];\n".into(),
    );
    c.weak("his-web/config/cache.php", "'password'", "code-password");
    c.file(
        "deploy/docker-compose.yml",
        "services:\n  couchdb:\n    image: couchdb:3\n    environment:\n      - COUCHDB_USER=admin\n      - COUCHDB_PASSWORD=password\n  mysql:\n    image: mysql:8\n    environment:\n      MYSQL_ROOT_PASSWORD: root\n      MYSQL_PASSWORD: ${MYSQL_PASSWORD}\n".into(),
    );
    c.weak(
        "deploy/docker-compose.yml",
        "COUCHDB_PASSWORD",
        "config-password",
    );
    c.weak(
        "deploy/docker-compose.yml",
        "MYSQL_ROOT_PASSWORD",
        "config-password",
    );
    c.file(
        "deploy/.env.prod",
        "DATABASE_URL=postgres://admin:password@db:5432/his\n".into(),
    );
    c.weak("deploy/.env.prod", "DATABASE_URL", "url-password");
    c.file(
        "conf/mail.properties",
        "mail.host=smtp.example.org\nmail.password=changeme\n".into(),
    );
    c.weak("conf/mail.properties", "mail.password", "config-password");
}

/// Chinese cloud keys: Alibaba, Tencent, Huawei, Baidu.
fn cloud_keys(c: &mut Corpus, g: &mut Gen) {
    let ali12 = c.secret(format!("LTAI{}", g.chars(ALNUM, 12)));
    let ali20 = c.secret(format!("LTAI{}", g.chars(ALNUM, 20)));
    let ali_secret = c.secret(g.chars(ALNUM, 30));
    c.file(
        "his-oss/src/main/java/com/his/oss/OssConfig.java",
        format!(
            "package com.his.oss;\n\npublic class OssConfig {{\n    static final String OLD_KEY = \"{ali12}\";\n    static final String ENDPOINT = \"oss-cn-hangzhou.aliyuncs.com\";\n    public Config config() {{\n        return new Config()\n            .setAccessKeyId(\"{ali20}\")\n            .setAccessKeySecret(\"{ali_secret}\");\n    }}\n}}\n"
        ),
    );
    let p = "his-oss/src/main/java/com/his/oss/OssConfig.java";
    c.found(p, "OLD_KEY", "aliyun-access-key");
    c.found(p, "setAccessKeyId", "aliyun-access-key");
    c.found(p, "setAccessKeySecret", "code-setter-secret");
    let akid = c.secret(format!("AKID{}", g.chars(ALNUM, 32)));
    let tsk = c.secret(g.chars(ALNUM, 32));
    c.file(
        "his-sms/src/main/resources/application.yml",
        format!(
            "tencent:\n  sms:\n    secret-id: {akid}\n    secret-key: {tsk}\n    region: ap-guangzhou\n"
        ),
    );
    let p = "his-sms/src/main/resources/application.yml";
    c.found(p, "secret-id", "tencent-cloud-secret-id");
    c.found(p, "secret-key", "config-secret");
    huawei_keys(c, g);
    baidu_keys(c, g);
}

/// Huawei Cloud: AK/SK settings next to `myhuaweicloud.com` endpoints.
fn huawei_keys(c: &mut Corpus, g: &mut Gen) {
    let (hak, hsk) = (
        c.secret(g.chars(UPPER_DIGITS, 20)),
        c.secret(g.chars(ALNUM, 40)),
    );
    c.file(
        "his-obs/src/main/resources/obs.properties",
        format!(
            "huaweicloud.endpoint=https://obs.cn-north-4.myhuaweicloud.com\nhuaweicloud.ak={hak}\nhuaweicloud.sk={hsk}\n"
        ),
    );
    let p = "his-obs/src/main/resources/obs.properties";
    c.found(p, "huaweicloud.ak", "config-secret");
    c.found(p, "huaweicloud.sk", "config-secret");
    let (sdk_access, sdk_secret) = (
        c.secret(g.chars(UPPER_DIGITS, 20)),
        c.secret(g.chars(ALNUM, 40)),
    );
    c.file(
        "his-obs/deploy/.env",
        format!("HUAWEICLOUD_SDK_AK={sdk_access}\nHUAWEICLOUD_SDK_SK={sdk_secret}\n"),
    );
    c.found("his-obs/deploy/.env", "SDK_AK", "config-secret");
    c.found("his-obs/deploy/.env", "SDK_SK", "config-secret");
    let (oak, osk) = (
        c.secret(g.chars(UPPER_DIGITS, 20)),
        c.secret(g.chars(ALNUM, 40)),
    );
    c.file(
        "his-obs/src/main/resources/application-obs.yml",
        format!(
            "obs:\n  endpoint: obs.cn-east-3.myhuaweicloud.com\n  access-key: {oak}\n  secret-key: {osk}\n"
        ),
    );
    let p = "his-obs/src/main/resources/application-obs.yml";
    c.found(p, "access-key", "config-secret");
    c.found(p, "secret-key:", "config-secret");
    let (jak, jsk) = (
        c.secret(g.chars(UPPER_DIGITS, 20)),
        c.secret(g.chars(ALNUM, 40)),
    );
    c.file(
        "his-obs/src/main/java/com/his/obs/ObsFactory.java",
        format!(
            "package com.his.obs;\n\nclass ObsFactory {{\n    private static final String ENDPOINT = \"https://obs.cn-north-4.myhuaweicloud.com\";\n    String ak = \"{jak}\";\n    String sk = \"{jsk}\";\n    ObsClient client() {{ return new ObsClient(ak, sk, ENDPOINT); }}\n}}\n"
        ),
    );
    let p = "his-obs/src/main/java/com/his/obs/ObsFactory.java";
    c.found(p, "String ak", "secret-key");
    c.found(p, "String sk", "secret-key");
}

/// Baidu AI Cloud: `bce.ak`/`bce.sk`, API keys for `baidubce.com`, `ALTAK` access keys.
fn baidu_keys(c: &mut Corpus, g: &mut Gen) {
    let (bak, bsk) = (c.secret(g.chars(HEX, 32)), c.secret(g.chars(HEX, 32)));
    c.file(
        "his-ai/src/main/resources/bce.properties",
        format!("bce.endpoint=https://bj.bcebos.com\nbce.ak={bak}\nbce.sk={bsk}\n"),
    );
    c.found(
        "his-ai/src/main/resources/bce.properties",
        "bce.ak",
        "config-secret",
    );
    c.found(
        "his-ai/src/main/resources/bce.properties",
        "bce.sk",
        "config-secret",
    );
    let (api, sec, altak) = (
        c.secret(g.chars(ALNUM, 24)),
        c.secret(g.chars(ALNUM, 32)),
        c.secret(format!("ALTAK{}", g.chars(ALNUM, 21))),
    );
    c.file(
        "his-ai/deploy/.env",
        format!("BAIDU_API_KEY={api}\nBAIDU_ENDPOINT=https://aip.baidubce.com\n"),
    );
    c.found("his-ai/deploy/.env", "BAIDU_API_KEY", "config-secret");
    c.file(
        "his-ai/src/main/java/com/his/ai/Ocr.java",
        format!(
            "package com.his.ai;\n\nclass Ocr {{\n    static final String HOST = \"https://aip.baidubce.com/oauth/2.0/token\";\n    private String secretKey = \"{sec}\";\n    private String bosKey = \"{altak}\";\n}}\n"
        ),
    );
    c.found(
        "his-ai/src/main/java/com/his/ai/Ocr.java",
        "secretKey",
        "secret-key",
    );
    c.found(
        "his-ai/src/main/java/com/his/ai/Ocr.java",
        "bosKey",
        "baidu-access-key",
    );
}

/// `.properties` evasions and passwords assembled in code.
fn evasions(c: &mut Corpus, g: &mut Gen) {
    let s: Vec<String> = (0..6).map(|_| c.secret(g.password())).collect();
    let (half1, half2) = s[4].split_at(6);
    c.file(
        "his-core/src/main/resources/db.properties",
        format!(
            "db.url=jdbc:mysql://10.1.2.3/his\ndb.password  {}\nslave.password: {}\nbackup.pass\\\n    word={}\nreport.password={half1}\\\n    {half2}\n\\u0070assword={}\n",
            s[0], s[1], s[2], s[3]
        ),
    );
    let p = "his-core/src/main/resources/db.properties";
    c.found(p, "db.password  ", "config-password");
    c.found(p, "slave.password", "config-password");
    c.found(p, "backup.pass\\", "config-password");
    c.found(p, "report.password", "config-password");
    c.found(p, "\\u0070assword", "config-password");
    let parts: Vec<String> = (0..3).map(|_| g.chars(ALNUM, 3)).collect();
    let chars: Vec<String> = g
        .chars(ALNUM, 9)
        .chars()
        .map(|ch| format!("'{ch}'"))
        .collect();
    let reversed = c.secret(g.password());
    c.file(
        "his-core/src/main/java/com/his/core/Boot.java",
        format!(
            "package com.his.core;\n\nclass Boot {{\n    String dbPwd = \"{}\" + \"{}\" + \"{}\";\n    char[] keystorePassword = {{{}}};\n    String adminPassword = new StringBuilder(\"{reversed}\").reverse().toString();\n}}\n",
            parts[0],
            parts[1],
            parts[2],
            chars.join(", ")
        ),
    );
    let p = "his-core/src/main/java/com/his/core/Boot.java";
    c.found(p, "dbPwd", "code-password-assembled");
    c.found(p, "keystorePassword", "code-password-assembled");
    c.found(p, "adminPassword", "code-password-assembled");
    c.file(
        "his-web/src/api/login.js",
        format!(
            "export const admin = {{\n  username: 'admin',\n  password: '{}',\n}};\n",
            s[5]
        ),
    );
    c.found("his-web/src/api/login.js", "password:", "code-password");
    let root = c.secret(g.password());
    c.file(
        "deploy/init.sh",
        format!("#!/bin/sh\nmysql -h 10.1.2.3 -P 3306 -uroot -p{root} his < init.sql\n"),
    );
    c.found("deploy/init.sh", "mysql", "command-line-password");
    // RuoYi's defaults: Druid's console password and the JWT secret (the alphabet).
    let alphabet: String = ('a'..='z').collect();
    c.file(
        "ruoyi-admin/src/main/resources/application.yml",
        format!(
            "token:\n  header: Authorization\n  secret: {alphabet}\n  expireTime: 30\nspring:\n  datasource:\n    druid:\n      statViewServlet:\n        login-username: ruoyi\n        login-password: 123456\n"
        ),
    );
    let p = "ruoyi-admin/src/main/resources/application.yml";
    c.found(p, "secret:", "config-secret");
    c.weak(p, "login-password", "config-password");
    let (jwt, token) = (c.secret(g.chars(ALNUM, 32)), c.secret(g.chars(ALNUM, 40)));
    c.file(
        "his-core/src/main/resources/spring-security.xml",
        format!(
            "<beans>\n  <bean id=\"jwt\" class=\"com.his.core.Jwt\">\n    <property name=\"jwt.secret\" value=\"{jwt}\"/>\n    <property name=\"jwt.expire\" value=\"3600\"/>\n  </bean>\n</beans>\n"
        ),
    );
    c.found(
        "his-core/src/main/resources/spring-security.xml",
        "jwt.secret",
        "xml-property-secret",
    );
    c.file(
        "his-ui/config/prod.json",
        format!("{{\n  \"apiBase\": \"/api\",\n  \"token\": \"{token}\"\n}}\n"),
    );
    c.found("his-ui/config/prod.json", "\"token\"", "secret-key");
}

/// A file none of whose lines may be reported.
fn no(c: &mut Corpus, path: &str, text: &str) {
    c.file(path, text.to_owned());
    for l in text.lines().filter(|l| !l.trim().is_empty()) {
        c.case(path, l, "", false);
    }
}

/// Labels, translations and names of settings: not passwords.
fn negatives(c: &mut Corpus) {
    no(
        c,
        "his-web/src/main/resources/messages_zh_CN.properties",
        "login.username=\\u7528\\u6237\\u540d\nlogin.password=\\u5bc6\\u7801\nuser.password.not.match=\\u5bc6\\u7801\\u4e0d\\u5339\\u914d\n",
    );
    no(
        c,
        "his-web/src/main/resources/i18n/messages.properties",
        "login.password=\u{5bc6}\u{7801}\nlogin.password.retry=\u{5bc6}\u{7801}\u{8f93}\u{5165}\u{9519}\u{8bef}\n",
    );
    no(
        c,
        "his-web/src/main/resources/messages_en.properties",
        "login.password=Password\nlogin.password.retry.limit=Too many attempts\n",
    );
    no(
        c,
        "his-ui/src/i18n/fr.json",
        "{\n  \"password\": \"Mot de passe\",\n  \"confirmPassword\": \"Confirmer\"\n}\n",
    );
    no(
        c,
        "his-ui/src/locales/en.js",
        "export default {\n  login: {\n    password: 'Password',\n    oldPassword: 'Old password',\n  },\n};\n",
    );
    no(
        c,
        "his-core/src/main/java/com/his/core/SecurityKeys.java",
        "package com.his.core;\n\npublic final class SecurityKeys {\n    public static final String GP_PASSWORD_MINIMUM_LENGTH = \"security.passwordMinimumLength\";\n    public static final String TRUST_STORE_PASSWORD = \"trustStorePassword\";\n    public static final String PASSWORD_KEY = \"password\";\n    public static final String PASSWORD = \"password\";\n    public static final String PASSWORD_HINT = \"at least 8 characters\";\n}\n",
    );
    no(
        c,
        "his-api/config/api.json",
        "{\n  \"apiKey\": \"\u{63a5}\u{53e3}\u{5bc6}\u{94a5}\",\n  \"password\": \"string\"\n}\n",
    );
    negatives_in_code(c);
}

/// Values read at run time, placeholders, CI and lint settings, ordinary code.
fn negatives_in_code(c: &mut Corpus) {
    no(
        c,
        "his-core/src/main/java/com/his/core/LoginController.java",
        "package com.his.core;\n\nclass LoginController {\n    @Value(\"${db.password}\")\n    private String password;\n    void login(HttpServletRequest request, Properties props) {\n        String x = request.getParameter(\"password\");\n        String p = props.getProperty(\"db.password\");\n        if (password.equals(confirmPassword)) { }\n    }\n}\n",
    );
    no(
        c,
        "his-odoo/models/user.py",
        "import os\n\nclass User(models.Model):\n    password = fields.Char(string=\"Password\")\n    db_password = os.getenv(\"DB_PASSWORD\")\n    pwd = config.get(\"password\")\n    conn = psycopg2.connect(host=h, password=db_password)\n",
    );
    no(
        c,
        ".github/workflows/ci.yml",
        "name: ci\non: push\npermissions:\n  id-token: write\n  contents: read\n",
    );
    no(
        c,
        "config/checkstyle/checkstyle.xml",
        "<module name=\"WhitespaceAround\">\n  <property name=\"tokens\" value=\"METHOD_DEF, CTOR_DEF, LITERAL_IF\"/>\n</module>\n",
    );
    no(
        c,
        "his-net/Web.config",
        "<connectionStrings>\n  <add name=\"a\" connectionString=\"Data Source=10.1.2.3;User ID=sa;Password=;Connect Timeout=30\" />\n  <add name=\"b\" connectionString=\"Server=x\" Password=\"\" Timeout=\"30\" />\n</connectionStrings>\n",
    );
    no(
        c,
        "his-ui/src/views/Login.vue",
        "<template>\n  <el-input v-model=\"form.password\" :type=\"passwordVisible ? 'text' : 'password'\" placeholder=\"\u{8bf7}\u{8f93}\u{5165}\u{5bc6}\u{7801}\" />\n</template>\n<script>\nexport default {\n  methods: {\n    go(user) {\n      if (user == 'home') { this.$router.push('/') }\n      if (this.form.password === this.form.confirm) { this.submit() }\n    },\n  },\n  data() { return { rules: { password: [{ required: true, message: '\u{8bf7}\u{8f93}\u{5165}\u{5bc6}\u{7801}' }] } } },\n};\n</script>\n",
    );
    no(
        c,
        "deploy/helm/values.yaml",
        "db:\n  password: <your-password>\n  adminPassword: \"{{ .Values.db.password }}\"\n  replicaPassword: \"***\"\nproxy:\n  bypass: localhost,127.0.0.1\n",
    );
    no(
        c,
        "his-admin/src/main/resources/application-security.yml",
        "security:\n  password-encoder: bcrypt\n  token-expire: 3600\n  key-store-type: PKCS12\n  secretName: his-tls\n  token: ${HIS_TOKEN}\n",
    );
    no(
        c,
        "his-ui/src/utils/auth.js",
        "const TOKEN_KEY = 'Admin-Token'\nconst LOGIN_PASSWORD_ERROR = 'login.password.error'\nexport function getToken() { return Cookies.get(TOKEN_KEY) }\n",
    );
    no(
        c,
        "his-php/app/validate/User.php",
        "<?php\nclass User extends Validate {\n    protected $rule = [\n        'password' => 'require|min:6|max:20',\n        'pwd' => 'required|string|confirmed',\n    ];\n}\n",
    );
    no(
        c,
        "deploy/db.sh",
        "#!/bin/sh\nmysql -h \"$DB_HOST\" -P3306 -u his -p his < init.sql\nPASSWORD=$(openssl rand -base64 16)\nread -p \"Enter password: \" PASSWORD\n",
    );
    no(
        c,
        "his-core/src/main/java/com/his/core/Rules.java",
        "package com.his.core;\n\nclass Rules {\n    String passwordRegex = \"^(?=.*[a-z])\" + \"(?=.*[0-9]).{8,}$\";\n}\n",
    );
    no(
        c,
        "deploy/settings.py",
        "DATABASES = {\n    'default': {\n        'PASSWORD': '%(db_password)s',\n    }\n}\n",
    );
    no(
        c,
        "his-ai/src/main/java/com/his/ai/Sample.java",
        "package com.his.ai;\n\nclass Sample {\n    String ak = \"Your Ak\";\n    String sk = \"Your Sk\";\n    String endpoint = \"blb.bj.baidubce.com\";\n}\n",
    );
}

fn corpus() -> Corpus {
    let mut c = Corpus {
        files: BTreeMap::new(),
        cases: Vec::new(),
        secrets: Vec::new(),
    };
    let mut g = Gen(0x0c0f_fee5_eed5);
    passwords(&mut c, &mut g);
    weak_and_default(&mut c);
    cloud_keys(&mut c, &mut g);
    evasions(&mut c, &mut g);
    negatives(&mut c);
    c
}

/// Per-rule true and false positives, and the corpus's recall and precision.
struct Tally {
    per_rule: BTreeMap<String, (u32, u32)>,
    found: u32,
    positives: u32,
    false_positives: Vec<String>,
    missed: Vec<String>,
}

fn measure(c: &Corpus, r: &serde_json::Value) -> Tally {
    // One finding per secret: a secret found in several places counts at each of them.
    let findings: Vec<serde_json::Value> = with_code(r, "credential-hardcoded")
        .into_iter()
        .flat_map(|f| match f["locations"].as_array() {
            Some(places) => places
                .iter()
                .map(|l| {
                    let mut g = f.clone();
                    g["path"] = l["path"].clone();
                    g["line"] = l["line"].clone();
                    g
                })
                .collect(),
            None => vec![f.clone()],
        })
        .collect();
    let mut t = Tally {
        per_rule: BTreeMap::new(),
        found: 0,
        positives: 0,
        false_positives: Vec::new(),
        missed: Vec::new(),
    };
    let positive: Vec<(&Case, u64)> = c
        .cases
        .iter()
        .filter(|k| !k.rule.is_empty())
        .map(|k| (k, c.line(k)))
        .collect();
    for f in &findings {
        let (rule, path, line) = (
            f["rule"].as_str().unwrap_or(""),
            f["path"].as_str().unwrap_or(""),
            f["line"].as_u64(),
        );
        let e = t.per_rule.entry(rule.to_owned()).or_default();
        if positive
            .iter()
            .any(|(k, l)| k.path == path && Some(*l) == line)
        {
            e.0 += 1;
        } else {
            e.1 += 1;
            t.false_positives
                .push(format!("{rule} {path}:{}", line.unwrap_or(0)));
        }
    }
    for (k, l) in &positive {
        t.positives += 1;
        let hit = findings
            .iter()
            .find(|f| f["path"] == k.path.as_str() && f["line"].as_u64() == Some(*l));
        match hit {
            Some(f) => {
                t.found += 1;
                // A secret found in several places is one finding named by the first rule
                // that found it; a finding of one place names its own rule.
                if f["locations"].as_array().is_none() {
                    assert_eq!(
                        f["rule"], k.rule,
                        "{}:{l} found by another rule than expected",
                        k.path
                    );
                }
                let text = f.to_string();
                assert_eq!(
                    text.contains("weak password") && text.contains("弱口令"),
                    k.weak,
                    "{}:{l}: weak marking wrong: {text}",
                    k.path
                );
            }
            None => t.missed.push(format!("{} {}:{l}", k.rule, k.path)),
        }
    }
    t
}

#[test]
fn credential_corpus_recall_and_precision() {
    let c = corpus();
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in &c.files {
        write(tmp.path(), path, text);
    }
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let run = check_json(tmp.path(), &m);
    let r = run.json();
    let t = measure(&c, &r);
    let tp: u32 = t.per_rule.values().map(|v| v.0).sum();
    let fp: u32 = t.per_rule.values().map(|v| v.1).sum();
    let precision = f64::from(tp) / f64::from((tp + fp).max(1));
    let recall = f64::from(t.found) / f64::from(t.positives.max(1));
    let mut summary = String::from("rule: true positives / false positives\n");
    for (rule, (tp, fp)) in &t.per_rule {
        summary.push_str(&format!("  {rule}: {tp} / {fp}\n"));
    }
    summary.push_str(&format!(
        "recall {recall:.3} ({} of {}), precision {precision:.3}",
        t.found, t.positives
    ));
    assert!(
        t.false_positives.is_empty(),
        "false positives: {:#?}\n{summary}",
        t.false_positives
    );
    assert!(t.missed.is_empty(), "missed: {:#?}\n{summary}", t.missed);
    assert!(recall >= 0.95 && precision >= 0.8, "{summary}");
    // The assembled-password rule is a warning to review; the rest keep the code's severity.
    for f in with_code(&r, "credential-hardcoded") {
        if f["rule"] == "code-password-assembled" {
            assert_eq!(f["severity"], "warn", "{f}");
        }
    }
    let text = r.to_string();
    for s in &c.secrets {
        assert!(!text.contains(s.as_str()), "a secret was printed");
    }
}

#[test]
fn one_password_in_a_yaml_file_and_a_script_is_one_finding_and_payment_keys_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0x7a7_0001);
    let pw = format!("Zy{}#{}", g.chars(ALNUM, 6), g.chars(ALNUM, 3));
    write(
        d,
        "src/main/resources/application-prod.yml",
        format!("spring:\n  datasource:\n    username: his\n    password: {pw}\n"),
    );
    write(
        d,
        "scripts/backup_db.sh",
        format!("#!/bin/sh\nmysqldump -uhis -p{pw} his > /backup/his.sql\n"),
    );
    // WeChat Pay's APIv3 key and a UnionPay key in .NET appSettings.
    write(
        d,
        "src/main/resources/pay.yml",
        format!("wechat:\n  pay:\n    api-v3-key: {}\n", g.chars(ALNUM, 32)),
    );
    write(
        d,
        "His.Web/Web.config",
        format!(
            "<configuration>\n  <appSettings>\n    <add key=\"UnionPayKey\" value=\"{}\" />\n  </appSettings>\n</configuration>\n",
            g.chars(HEX, 32)
        ),
    );
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let r = check_json(d, &m).json();
    let found = with_code(&r, "credential-hardcoded");
    let same: Vec<&serde_json::Value> = found
        .iter()
        .copied()
        .filter(|f| f["locations"].is_array())
        .collect();
    assert_eq!(same.len(), 1, "{r}");
    let places: Vec<&str> = same[0]["locations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        places,
        [
            "scripts/backup_db.sh",
            "src/main/resources/application-prod.yml"
        ],
        "{r}"
    );
    let paths: Vec<&str> = found.iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert!(paths.contains(&"src/main/resources/pay.yml"), "{r}");
    assert!(paths.contains(&"His.Web/Web.config"), "{r}");
    assert_eq!(found.len(), 3, "{r}");
    assert!(!r.to_string().contains(&pw));
}

#[test]
fn passwords_only_in_test_code_are_listed_at_info() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0x7e57_0001);
    let (test_only, shared) = (g.password(), g.password());
    write(
        d,
        "src/test/java/com/acme/his/LoginTest.java",
        format!("class LoginTest {{\n    String password = \"{test_only}\";\n}}\n"),
    );
    write(
        d,
        "src/test/resources/application.properties",
        format!("spring.datasource.password={shared}\n"),
    );
    write(
        d,
        "src/main/resources/application.properties",
        format!("spring.datasource.password={shared}\n"),
    );
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let r = check_json(d, &m).json();
    let found = with_code(&r, "credential-hardcoded");
    assert_eq!(found.len(), 2, "{r}");
    let test = found
        .iter()
        .find(|f| f["path"] == "src/test/java/com/acme/his/LoginTest.java")
        .expect("the test's password is listed");
    assert_eq!(test["severity"], "info");
    assert!(
        test["message"]
            .as_str()
            .unwrap()
            .starts_with("test code, not deployed: "),
        "{test}"
    );
    // The same secret in deployed configuration too: a warning, not test code.
    let both = found
        .iter()
        .find(|f| f["locations"].is_array())
        .expect("one finding for the shared secret");
    assert_eq!(both["severity"], "warn");
    assert!(!both["message"].as_str().unwrap().starts_with("test code"));
}

#[test]
fn a_weak_password_shows_neither_its_length_nor_its_hash() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // The first 8 hex digits of SHA-256("123456"): a list of common passwords reverses them.
    write(d, "conf/jdbc.properties", "jdbc.password=123456\n");
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let r = check_json(d, &m).json();
    let found = with_code(&r, "credential-hardcoded");
    assert_eq!(found.len(), 1, "{r}");
    let text = found[0].to_string();
    assert!(text.contains("[redacted: a weak password]"), "{text}");
    assert!(!text.contains("8d969eef"), "{text}");
    assert!(!text.contains("6 characters"), "{text}");
    assert!(found[0].get("fingerprint").is_none(), "{text}");
    let human = escrow([
        "check".as_ref(),
        d.as_os_str(),
        "--manifest".as_ref(),
        m.as_os_str(),
        "--lang".as_ref(),
        "zh".as_ref(),
    ]);
    assert!(!human.stdout.contains("8d969eef"), "{}", human.stdout);
}

#[test]
fn tomcat_and_putty_keys_are_found() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut g = Gen(0x7e57_0002);
    // Tomcat's default key store (PKCS#12, no extension but its name), a Java `.ks` store,
    // and a PuTTY private key.
    let mut p12 = vec![0x30, 0x82, 0x09, 0xf6, 0x02, 0x01, 0x03];
    p12.extend(g.bytes(2500));
    write(d, "tomcat/conf/.keystore", &p12);
    write(d, "deploy/server.ks", &p12);
    write(
        d,
        "deploy/ops.ppk",
        format!(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: ops\nPublic-Lines: 2\n{}\nPrivate-Lines: 1\n{}\n",
            g.word(64),
            g.word(44)
        ),
    );
    let mdir = tempfile::tempdir().unwrap();
    let m = manifest(mdir.path(), MANIFEST);
    let r = check_json(d, &m).json();
    let mut found: Vec<(String, String)> = with_code(&r, "credential-hardcoded")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("key-store-file".to_owned(), "deploy/server.ks".to_owned()),
            (
                "key-store-file".to_owned(),
                "tomcat/conf/.keystore".to_owned()
            ),
            ("putty-private-key".to_owned(), "deploy/ops.ppk".to_owned()),
        ],
        "{r}"
    );
}
