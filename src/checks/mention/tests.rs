use super::*;

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn dep(ecosystem: &str, name: &str, version: Option<&str>) -> Declared {
    Declared {
        name: name.to_owned(),
        version: version.map(str::to_owned),
        ecosystem: ecosystem.to_owned(),
        file: "f".to_owned(),
    }
}

fn tool(name: &str, aliases: &[&str], version: Option<&str>) -> BuildTool {
    BuildTool {
        name: name.to_owned(),
        aliases: names(aliases),
        version: version.map(str::to_owned),
        evidence: "f".to_owned(),
    }
}

#[test]
fn tables_whole_identifiers_any_schema_and_case() {
    let text = "4.2 患者表\n表名\tT_PATIENT表\t患者基本信息\n医嘱见 his.t_order_item。\n字段 t_visit_id\t[dbo].[t_dept]\n";
    let found = tables(
        &names(&[
            "dbo.t_patient",
            "[dbo].[t_order_item]",
            "`his`.`t_dept`",
            "t_visit",
            "t_order",
            "\"public\".\"t_patient\"",
            "",
        ]),
        text,
    );
    assert_eq!(found, [true, true, true, false, false, true, false]);
}

#[test]
fn tables_with_other_characters() {
    let text = "表 患者信息表 记录患者; 另见 [order details]。";
    let found = tables(&names(&["dbo.患者信息", "[order details]", "病区"]), text);
    assert_eq!(found, [true, true, false]);
    // A quoted name starting with a digit: searched as text, still bounded.
    let found = tables(
        &names(&["[2024_stats]", "[24_stats]"]),
        "统计表 2024_stats。",
    );
    assert_eq!(found, [true, false]);
}

#[test]
fn tables_fast_on_large_input() {
    // 5,000 tables against 5 MB of text, in a debug build.
    let table_names: Vec<String> = (0..5000).map(|i| format!("dbo.t_table_{i}")).collect();
    let mut text = String::with_capacity(5 << 20);
    let mut i = 0u64;
    while text.len() < 5 << 20 {
        text.push_str(&format!(
            "字段{i}\tcol_{}\t说明 some_word_{} 表\n",
            i % 7919,
            i % 104_729
        ));
        if i.is_multiple_of(3) {
            text.push_str(&format!("t_table_{} 表\n", (i / 3) % 2500));
        }
        i += 1;
    }
    let started = std::time::Instant::now();
    let found = tables(&table_names, &text);
    let took = started.elapsed();
    assert_eq!(found.iter().filter(|&&f| f).count(), 2500);
    assert!(found[0] && found[2499] && !found[2500]);
    assert!(took < std::time::Duration::from_secs(1), "{took:?}");
}

#[test]
fn dependency_names_per_ecosystem() {
    assert_eq!(
        dependency_names(&dep("maven", "org.springframework:spring-core", None)),
        ["org.springframework:spring-core", "spring-core"]
    );
    assert_eq!(
        dependency_names(&dep("pypi", "Python_Dateutil", None)),
        ["Python_Dateutil", "python.dateutil", "python-dateutil"]
    );
    assert_eq!(
        dependency_names(&dep("go", "github.com/redis/go-redis/v9", None)),
        ["github.com/redis/go-redis/v9", "go-redis"]
    );
    assert_eq!(
        dependency_names(&dep("go", "github.com/gin-gonic/gin", None)),
        ["github.com/gin-gonic/gin", "gin"]
    );
    assert_eq!(
        dependency_names(&dep("npm", "@vue/cli", None)),
        ["@vue/cli"]
    );
}

#[test]
fn dependencies_named_with_boundaries() {
    let deps = [
        dep("maven", "org.springframework:spring-core", Some("5.3.20")),
        dep("nuget", "Newtonsoft.Json", Some("13.0.3")),
        dep("npm", "@vue/cli", Some("^5.0.8")),
        dep("npm", "vue", Some("^3.3.4")),
        dep("pypi", "python-dateutil", Some("2.8.2")),
        dep("go", "github.com/gin-gonic/gin", Some("v1.9.1")),
        dep("maven", "com.alibaba:druid", Some("1.2.20")),
        dep("npm", "axios", None),
    ];
    let text = "依赖：SPRING-CORE、newtonsoft.json.bson、@vue/cli-service、vue.js。\n使用python_dateutil处理日期，Web 框架 gin。druid-spring-boot-starter\naxios.";
    let m = dependencies(&deps, text);
    let named: Vec<bool> = m.iter().map(|x| x.named).collect();
    assert_eq!(named, [true, false, false, false, true, true, false, true]);
    assert!(m.iter().all(|x| x.other_version.is_none()));
}

#[test]
fn dependency_versions_in_table_rows_and_prose() {
    let deps = [
        dep("maven", "org.springframework:spring-core", Some("5.3.20")),
        dep("maven", "com.alibaba:druid", Some("1.2.20")),
        dep("npm", "vue", Some("^3.3.4")),
        dep("maven", "org.mybatis:mybatis", Some("${mybatis.version}")),
        dep("go", "github.com/gin-gonic/gin", Some("v1.9.1")),
        dep("maven", "org.projectlombok:lombok", Some("1.18.30")),
        dep("nuget", "Dapper", Some("2.1.24")),
    ];
    let text = "序号\t名称\t版本\n1\tspring-core\t5.3.20.RELEASE\n2\tdruid\t1.2.8\n3\tvue\tv3.3.4\n4\tmybatis\t3.4.6\n\
前端 gin v1.8.0 与 lombok 并用。\n5\t2.1.24\tDapper\n";
    let m = dependencies(&deps, text);
    let other: Vec<Option<&str>> = m.iter().map(|x| x.other_version.as_deref()).collect();
    assert_eq!(
        other,
        [None, Some("1.2.8"), None, None, Some("v1.8.0"), None, None]
    );
    assert!(m.iter().all(|x| x.named));
    // Right somewhere: never reported as different.
    let m = dependencies(&deps[1..2], "druid 1.2.8\n升级后 druid 1.2.20\n");
    assert_eq!(m[0].other_version, None);
    // A version before the name in prose belongs to another sentence.
    let m = dependencies(&deps[1..2], "JDK 1.8 druid\n");
    assert_eq!(m[0].other_version, None);
}

#[test]
fn version_cores() {
    assert_eq!(version_core("^1.2.0"), Some(vec![1, 2]));
    assert_eq!(version_core(">= 4.2,<5"), Some(vec![4, 2]));
    assert_eq!(version_core("5.3.20.RELEASE"), Some(vec![5, 3, 20]));
    assert_eq!(version_core("v0.15.0"), Some(vec![0, 15]));
    assert_eq!(version_core("${spring.version}"), None);
    assert_eq!(version_core("workspace:*"), None);
}

#[test]
fn build_tools_words() {
    let go = tool("Go", &["golang"], None);
    let google = "使用 Google 浏览器；category 分类；Django 框架；go-redis 客户端";
    assert!(!build_tools(std::slice::from_ref(&go), google)[0].named);
    for yes in ["编译需要Go语言环境", "Golang 1.21", "go1.21 以上", "(Go)"] {
        assert!(
            build_tools(std::slice::from_ref(&go), yes)[0].named,
            "{yes}"
        );
    }
    let make = tool("Make", &["gnu make"], None);
    assert!(!build_tools(std::slice::from_ref(&make), "用 CMake 构建，见 Makefile")[0].named);
    let jdk = tool("JDK", &["java", "jdk"], None);
    assert!(!build_tools(std::slice::from_ref(&jdk), "前端使用 JavaScript")[0].named);
    assert!(build_tools(std::slice::from_ref(&jdk), "安装jdk1.8")[0].named);
    let net = tool(
        ".NET SDK",
        &["dotnet", ".net", "msbuild", "visual studio"],
        None,
    );
    assert!(build_tools(std::slice::from_ref(&net), "使用 Visual Studio 2019 打开")[0].named);
    assert!(build_tools(std::slice::from_ref(&net), "ASP.NET Core")[0].named);
    // No version pinned: given whenever named, and even when not.
    assert!(build_tools(&[net], "无")[0].version_named);
}

#[test]
fn build_tool_versions() {
    let check = |t: &BuildTool, text: &str| {
        let m = build_tools(std::slice::from_ref(t), text);
        (m[0].named, m[0].version_named)
    };
    let jdk8 = tool("JDK", &["java", "jdk", "openjdk"], Some("1.8"));
    for text in [
        "JDK 8",
        "Java 1.8",
        "安装jdk1.8.0_202",
        "开发语言：Java\t版本：8",
        "OpenJDK 8u392",
    ] {
        assert_eq!(check(&jdk8, text), (true, true), "{text}");
    }
    assert_eq!(check(&jdk8, "JDK 11"), (true, false));
    let jdk17 = tool("JDK", &["java"], Some("17"));
    assert_eq!(check(&jdk17, "Java 17.0.9"), (true, true));
    assert_eq!(check(&jdk17, "Java 1.7"), (true, false));
    let maven = tool("Maven", &["mvn", "apache maven"], Some("3.9.6"));
    assert_eq!(check(&maven, "Apache Maven 3.9"), (true, true));
    assert_eq!(check(&maven, "Maven 3.6.3"), (true, false));
    assert_eq!(check(&maven, "Maven 3"), (true, false));
    assert_eq!(check(&maven, "构建工具\tMaven\n版本\t3.9.6"), (true, true));
    assert_eq!(check(&maven, "版本 3.9.6"), (false, false));
    // The version far away on another line does not count.
    let far = format!("Maven\n{}\n3.9.6", "说明".repeat(40));
    assert_eq!(check(&maven, &far), (true, false));
    let node = tool("Node.js", &["node", "nodejs"], Some("18.17.0"));
    assert_eq!(check(&node, "Node 18"), (true, true));
    assert_eq!(check(&node, "node.js 16"), (true, false));
    let net = tool(".NET SDK", &["dotnet", ".net"], Some("6.0"));
    assert_eq!(check(&net, ".NET 6"), (true, true));
}

#[test]
fn version_cover_rule() {
    assert!(version_covers("Maven", &[3, 9], &[3, 9, 6]));
    assert!(version_covers("Maven", &[3, 9, 6, 1], &[3, 9, 6]));
    assert!(!version_covers("Maven", &[3], &[3, 9, 6]));
    assert!(!version_covers("Maven", &[3, 8], &[3, 9, 6]));
    assert!(version_covers("JDK", &[17], &[17, 0, 2]));
    assert!(version_covers("Go", &[1, 21], &[1, 21]));
    assert_eq!(tool_version("JDK", "1.8.0_202"), Some(vec![8]));
    assert_eq!(tool_version("Go", "1.21"), Some(vec![1, 21]));
}

#[test]
fn many_mentions_on_one_long_line() {
    // 2 MB on one line, a mention every 12 bytes: each mention reads a bounded stretch of it.
    let line = "vue 3.2.0 java ".repeat(140_000);
    let started = std::time::Instant::now();
    let m = dependencies(&[dep("npm", "vue", Some("^3.3.4"))], &line);
    assert_eq!(m[0].other_version.as_deref(), Some("3.2.0"));
    let t = build_tools(&[tool("JDK", &["java"], Some("17"))], &line);
    assert_eq!((t[0].named, t[0].version_named), (true, false));
    let took = started.elapsed();
    assert!(took < std::time::Duration::from_secs(5), "{took:?}");
}
