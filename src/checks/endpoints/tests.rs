use super::*;

/// (method, path) of each endpoint `find` gives.
fn eps(path: &str, text: &str) -> Vec<(String, String)> {
    find(path, text)
        .into_iter()
        .map(|e| (e.method, e.path))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(m, p)| ((*m).to_string(), (*p).to_string()))
        .collect()
}

fn ep(path: &str) -> Endpoint {
    Endpoint {
        method: "GET".into(),
        path: path.into(),
        file: "X.java".into(),
        line: 1,
        framework: "Spring".into(),
    }
}

/// Whether `doc` names each of `paths`.
fn named(paths: &[&str], doc: &str) -> Vec<bool> {
    let e: Vec<Endpoint> = paths.iter().map(|p| ep(p)).collect();
    documented(&e, doc)
}

#[test]
fn candidates_by_extension_and_name() {
    for yes in [
        "src/main/java/a/PatientController.java",
        "app/Routes.kt",
        "Api/Controllers/HomeController.cs",
        "app/views.py",
        "server/index.js",
        "server/app.ts",
        "server/app.mjs",
        "server/app.cjs",
        "docs/openapi.yaml",
        "api/swagger.json",
        "api/patients.openapi.yml",
    ] {
        assert!(is_candidate(yes.as_bytes()), "{yes}");
    }
    for no in [
        "web/dist/app.min.js",
        "web/node_modules/express/lib/router/index.js",
        "types/index.d.ts",
        "docs/接口说明文档.md",
        "config/application.yml",
        "package.json",
        "Makefile",
    ] {
        assert!(!is_candidate(no.as_bytes()), "{no}");
    }
}

#[test]
fn spring_class_prefix_joins_method_mappings() {
    let java = r#"
package com.example;

import org.springframework.web.bind.annotation.*;

/** 患者接口 */
@RestController
@RequestMapping("/api/patients")
public class PatientController {
    // 查询患者 @GetMapping("/commented")
    /* @PostMapping("/block-commented") */
    @GetMapping("/{id}")
    public Patient get(@PathVariable Long id) { return null; }

    @PostMapping
    public Long create(@RequestBody Patient p) { return 1L; }

    @RequestMapping(value = "/search", method = RequestMethod.POST)
    public List<Patient> search() { return null; }

    @RequestMapping(path = {"/a", "/b"}, method = {RequestMethod.GET, RequestMethod.PUT})
    public void both() {}

    @DeleteMapping(
        value = "/{id}",
        produces = "application/json"
    )
    public void delete(@PathVariable Long id) {}

    @RequestMapping("/any")
    public void any() {}
}
"#;
    assert_eq!(
        eps("PatientController.java", java),
        pairs(&[
            ("GET", "/api/patients/{id}"),
            ("POST", "/api/patients"),
            ("POST", "/api/patients/search"),
            ("GET", "/api/patients/a"),
            ("PUT", "/api/patients/a"),
            ("GET", "/api/patients/b"),
            ("PUT", "/api/patients/b"),
            ("DELETE", "/api/patients/{id}"),
            ("ANY", "/api/patients/any"),
        ])
    );
    let found = find("x/PatientController.java", java);
    assert_eq!(found[0].line, 12);
    assert_eq!(found[0].file, "x/PatientController.java");
    assert_eq!(found[0].framework, "Spring");
}

#[test]
fn spring_needs_a_controller_class() {
    // A Feign client declares mappings it calls, not ones it serves.
    let java = r#"
@FeignClient(name = "his")
public interface HisClient {
    @GetMapping("/his/patients/{id}")
    Patient get(@PathVariable("id") Long id);
}
"#;
    assert!(find("HisClient.java", java).is_empty());
    let controller = java.replace("@FeignClient(name = \"his\")", "@Controller");
    assert_eq!(
        eps("HisClient.java", &controller),
        pairs(&[("GET", "/his/patients/{id}")])
    );
}

#[test]
fn spring_kotlin_arrays_and_constants() {
    let kt = r#"
package com.example

const val API = "/api/v1"

@RestController
@RequestMapping(API + "/orders")
class OrderController(private val service: OrderService) {
    @GetMapping(value = ["/list", "/all"])
    fun list(): List<Order> = service.list()

    @PostMapping(Paths.UNKNOWN + "/x")
    fun post() {}
}
"#;
    assert_eq!(
        eps("OrderController.kt", kt),
        pairs(&[
            ("GET", "/api/v1/orders/list"),
            ("GET", "/api/v1/orders/all"),
            ("POST", "/api/v1/orders/{UNKNOWN}/x"),
        ])
    );
}

#[test]
fn spring_class_without_request_mapping_and_nested_classes() {
    let java = r#"
@RestController
public class HealthController {
    @GetMapping("health")
    public String health() { return "ok"; }

    @Data
    public static class Body {
        @NotNull(message = "不能为空")
        private String name;
    }

    @GetMapping
    public String root() { return "root"; }
}
"#;
    assert_eq!(
        eps("HealthController.java", java),
        pairs(&[("GET", "/health"), ("GET", "/")])
    );
}

#[test]
fn jaxrs_class_and_method_paths() {
    let java = r#"
@Path("/api/orders")
@Produces(MediaType.APPLICATION_JSON)
public class OrderResource {
    @GET
    public List<Order> list() { return null; }

    @GET
    @Path("{id}")
    public Order get(@PathParam("id") long id) { return null; }

    // @DELETE
    @POST @Path("/{id}/cancel")
    public void cancel(@PathParam("id") long id) {}
}

interface GitHub {
    @GET("users/{user}/repos")
    Call<List<Repo>> list(@Path("user") String user);
}
"#;
    assert_eq!(
        eps("OrderResource.java", java),
        pairs(&[
            ("GET", "/api/orders"),
            ("GET", "/api/orders/{id}"),
            ("POST", "/api/orders/{id}/cancel"),
        ])
    );
    assert!(
        find("OrderResource.java", java)
            .iter()
            .all(|e| e.framework == "JAX-RS")
    );
}

#[test]
fn aspnet_controller_token_and_overrides() {
    let cs = r#"
using Microsoft.AspNetCore.Mvc;

namespace His.Api.Controllers;

/// <summary>患者接口</summary>
[ApiController]
[Route("api/[controller]")]
public class PatientsController : ControllerBase
{
    // [HttpGet("commented")]
    [HttpGet("{id:int}")]
    public IActionResult Get(int id) => Ok();

    [HttpPost]
    public IActionResult Create([FromBody] Patient p) => Ok();

    [HttpGet("~/health")]
    public IActionResult Health() => Ok();

    [HttpPut("/abs/{id}"), Authorize]
    public IActionResult Put(int id) => Ok();

    [Route("[action]")]
    [HttpGet]
    public IActionResult Export() => Ok();

    [Route("any")]
    public IActionResult Any() => Ok();

    private int[] Numbers() { var a = new int[3]; return a; }
}
"#;
    assert_eq!(
        eps("PatientsController.cs", cs),
        pairs(&[
            ("GET", "/api/Patients/{id:int}"),
            ("POST", "/api/Patients"),
            ("GET", "/health"),
            ("PUT", "/abs/{id}"),
            ("GET", "/api/Patients/Export"),
            ("ANY", "/api/Patients/any"),
        ])
    );
}

#[test]
fn aspnet_conventional_routing_is_skipped() {
    let cs = r#"
public class HomeController : Controller
{
    public IActionResult Index() => View();

    [HttpPost]
    public IActionResult Save(Model m) => View();

    [HttpGet("about")]
    public IActionResult About() => View();
}
"#;
    assert_eq!(eps("HomeController.cs", cs), pairs(&[("GET", "/about")]));
}

#[test]
fn aspnet_web_api_route_prefix() {
    let cs = r#"
[RoutePrefix("api/orders")]
public class OrdersController : ApiController
{
    [HttpGet, Route("")]
    public IHttpActionResult List() { return Ok(); }

    [HttpDelete]
    [Route("{id}")]
    public IHttpActionResult Delete(int id) { return Ok(); }
}
"#;
    assert_eq!(
        eps("OrdersController.cs", cs),
        pairs(&[("GET", "/api/orders"), ("DELETE", "/api/orders/{id}")])
    );
}

#[test]
fn aspnet_minimal_apis_with_groups() {
    let cs = r#"
var app = builder.Build();
// app.MapGet("/commented", () => "x");
app.MapGet("/health", () => "ok");
var api = app.MapGroup("/api");
var patients = api.MapGroup("patients");
patients.MapPost("/", (Patient p) => Results.Ok());
patients.MapDelete("{id}", (int id) => Results.Ok());
app.MapMethods("/both", new[] { "GET", "POST" }, () => "x");
app.Run();
"#;
    assert_eq!(
        eps("Program.cs", cs),
        pairs(&[
            ("GET", "/health"),
            ("POST", "/api/patients"),
            ("DELETE", "/api/patients/{id}"),
            ("ANY", "/both"),
        ])
    );
}

#[test]
fn flask_routes_methods_and_blueprint_prefix() {
    let py = r#"
from flask import Flask, Blueprint

app = Flask(__name__)
bp = Blueprint("patients", __name__, url_prefix="/api/patients")

# @app.route("/commented")
@app.route("/health")
def health():
    return "ok"  # 健康检查

@bp.route("/<int:patient_id>", methods=["GET", "POST"])
def patient(patient_id):
    """@app.route("/in-docstring") is text, though"""
    return {}

@bp.get("/mine")
def mine():
    return []
"#;
    let found = eps("views.py", py);
    assert_eq!(
        found,
        pairs(&[
            ("GET", "/health"),
            ("GET", "/api/patients/<int:patient_id>"),
            ("POST", "/api/patients/<int:patient_id>"),
            ("GET", "/api/patients/mine"),
        ])
    );
    assert!(find("views.py", py).iter().all(|e| e.framework == "Flask"));
}

#[test]
fn flask_register_blueprint_overrides_prefix() {
    let py = r#"
from flask import Flask, Blueprint
app = Flask(__name__)
bp = Blueprint("b", __name__)

@bp.post("/orders")
def orders():
    pass

app.register_blueprint(bp, url_prefix="/v2")
"#;
    assert_eq!(eps("app.py", py), pairs(&[("POST", "/v2/orders")]));
}

#[test]
fn fastapi_router_prefix() {
    let py = r#"
from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter(prefix="/api/items", tags=["items"])

@router.get("/{item_id}")
async def read_item(item_id: int):
    return {}

@router.api_route("/bulk", methods=["PUT", "PATCH"])
async def bulk():
    return {}

@app.delete("/cache")
def clear():
    pass

app.include_router(router, prefix="/v1")
"#;
    let found = find("main.py", py);
    assert!(found.iter().all(|e| e.framework == "FastAPI"));
    assert_eq!(
        eps("main.py", py),
        pairs(&[
            ("GET", "/v1/api/items/{item_id}"),
            ("PUT", "/v1/api/items/bulk"),
            ("PATCH", "/v1/api/items/bulk"),
            ("DELETE", "/cache"),
        ])
    );
}

#[test]
fn python_without_a_web_framework_gives_nothing() {
    let py = "import click\n\n@cli.get(\"/x\")\ndef x():\n    pass\n";
    assert!(find("cli.py", py).is_empty());
}

#[test]
fn express_routes_mounts_and_chains() {
    let js = r#"
const express = require('express');
const app = express();
const patients = express.Router();

// app.get('/commented', handler);
/* router.post('/block', h) */
patients.get('/:id', (req, res) => res.json({}));   // 查询患者
patients.post("/", async (req, res) => res.json({}));
patients.route('/:id/notes').get(list).post(create);
app.use('/api/patients', patients);
app.get('/health', (req, res) => res.send('ok'));
app.all(`/proxy/*`, proxy);
app.get('title');
const http = axios.create();
http.get('/not-served', { params: {} });
"#;
    assert_eq!(
        eps("server.js", js),
        pairs(&[
            ("GET", "/api/patients/:id"),
            ("POST", "/api/patients"),
            ("GET", "/api/patients/:id/notes"),
            ("POST", "/api/patients/:id/notes"),
            ("GET", "/health"),
            ("ANY", "/proxy/*"),
        ])
    );
}

#[test]
fn axios_client_without_express_gives_nothing() {
    let js =
        "import axios from 'axios'\nconst app = axios.create()\napp.get('/patients', { params })\n";
    assert!(find("api.js", js).is_empty());
}

#[test]
fn nestjs_controllers() {
    let ts = r"
import { Controller, Get, Post, Param } from '@nestjs/common';

@Controller('cats')
export class CatsController {
  @Get()
  findAll(): string[] { return []; }

  @Get(':id')
  findOne(@Param('id') id: string) { return id; }

  // @Delete(':id')
  @Post({ path: 'bulk' })
  bulk() {}
}
";
    let found = eps("cats.controller.ts", ts);
    assert_eq!(
        found,
        pairs(&[
            ("GET", "/cats"),
            ("GET", "/cats/:id"),
            ("POST", "/cats/bulk")
        ])
    );
    assert!(!found.iter().any(|(m, _)| m == "DELETE"));
}

#[test]
fn openapi_yaml_and_json() {
    let yaml = r#"
openapi: 3.0.1
info:
  title: 互联网医院接口
  version: "1.0"
servers:
  - url: https://his.example.org/api/v1
paths:
  /patients/{id}:
    parameters:
      - name: id
        in: path
    get:
      summary: 查询患者
    delete:
      summary: 删除
  "/orders":
    post:
      responses:
        "200":
          description: ok
"#;
    let found = find("docs/openapi.yaml", yaml);
    assert_eq!(
        found
            .iter()
            .map(|e| (e.method.as_str(), e.path.as_str(), e.line))
            .collect::<Vec<_>>(),
        vec![
            ("GET", "/api/v1/patients/{id}", 9),
            ("DELETE", "/api/v1/patients/{id}", 9),
            ("POST", "/api/v1/orders", 17),
        ]
    );
    let json =
        r#"{"swagger": "2.0", "basePath": "/api", "paths": {"/pets": {"get": {}, "x-note": 1}}}"#;
    assert_eq!(eps("swagger.json", json), pairs(&[("GET", "/api/pets")]));
    // Not an OpenAPI document, or broken: nothing, no panic.
    assert!(find("openapi.json", r#"{"paths": {"/x": {"get": {}}}}"#).is_empty());
    assert!(find("openapi.yaml", "paths: [unclosed").is_empty());
}

#[test]
fn openapi_yaml_alias_bomb_is_bounded() {
    let mut y = String::from("openapi: 3.0.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let p = i - 1;
        y.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    y.push_str("paths:\n  /x:\n    get: {}\n");
    let start = std::time::Instant::now();
    let found = eps("openapi.yaml", &y);
    assert!(start.elapsed() < std::time::Duration::from_secs(10));
    // The parser refuses the expansion or skips it; either way it ends, soon.
    assert!(
        found.is_empty() || found == pairs(&[("GET", "/x")]),
        "{found:?}"
    );
}

#[test]
fn openapi_yaml_nested_deep_is_refused_at_once() {
    // 160,000 nested flow lists made the YAML parser run for minutes.
    let depth = 160_000;
    let y = format!(
        "openapi: 3.0.0\npaths:\n  /z:\n    get: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let start = std::time::Instant::now();
    assert!(eps("openapi.yaml", &y).is_empty());
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
    // A real description with a few levels still reads.
    let ok = "openapi: 3.0.0\npaths:\n  /z:\n    get: {tags: [a, [b]]}\n";
    assert_eq!(eps("openapi.yaml", ok), pairs(&[("GET", "/z")]));
}

#[test]
fn odd_input_never_panics() {
    let inputs = [
        "@GetMapping(\"unclosed",
        "@RestController class X { @GetMapping(",
        "[Route(\"api/x\"",
        "@app.route(",
        "const express = require('express'); app.get('/x'",
        "\"\"\"",
        "/* never closed",
        "@Controller('x') class {",
        "é@ü[ñ(\"",
    ];
    for text in inputs {
        for ext in ["java", "kt", "cs", "py", "js", "ts"] {
            let _ = find(&format!("f.{ext}"), text);
        }
        let _ = documented(&[ep(text)], text);
    }
    // Over the bound: the rest is ignored, cutting inside a character.
    let mut big = "@RestController class A {\n@GetMapping(\"/a\") void a() {}\n".to_string();
    while big.len() < MAX_TEXT - 1 {
        big.push_str("// 注释\n");
    }
    big.push_str("@GetMapping(\"/late\") void late() {}\n}\n");
    let found = eps("A.java", &big);
    assert_eq!(found, pairs(&[("GET", "/a")]));
}

#[test]
fn documented_normalises_variables_case_and_slashes() {
    let doc = "接口：GET /API/Patients/:patientId/ ；POST //api//orders/；\
               GET /api/files/<int:file_id> 和 `/api/reports/{report_id:int}?x=1`";
    assert_eq!(
        named(
            &[
                "/api/patients/{id}",
                "/api/orders",
                "/api/files/{fileId}",
                "/api/reports/{id}",
                "/api/patients",
            ],
            doc
        ),
        vec![true, true, true, true, false]
    );
}

#[test]
fn documented_without_prefix_needs_a_literal_segment() {
    let doc = "基础地址 http://his.example.org/api，接口 /patients/{id}；以及 /{id} 与 /";
    assert_eq!(
        named(&["/api/patients/{id}", "/api/doctors/{id}", "/{id}"], doc),
        vec![true, false, true]
    );
    // A bare `/{id}` never names a longer path.
    assert_eq!(named(&["/api/patients/{id}"], "见 /{id}"), vec![false]);
    // A different literal segment never matches.
    assert_eq!(named(&["/api/patients"], "见 /api/patient"), vec![false]);
    assert_eq!(named(&["/api/patient"], "见 /api/patients"), vec![false]);
    // `/` is never named.
    assert_eq!(named(&["/"], "根路径 / 以及 /index"), vec![false]);
}

#[test]
fn documented_with_chinese_path_variables() {
    // Chinese documents name path variables in Chinese; any variable equals any other.
    let doc = "接口：GET http://10.12.1.20:8080/api/ih/patients/{患者ID}；POST /api/ih/consultations/{问诊单号}/accept";
    assert_eq!(
        named(
            &[
                "/api/ih/patients/{patientId}",
                "/api/ih/consultations/{id}/accept",
                "/api/ih/consultations/{id}/finish",
            ],
            doc
        ),
        vec![true, true, false]
    );
}

#[test]
fn documented_full_urls_and_concrete_values() {
    let doc = "示例：curl http://10.0.0.5:8080/api/patients/10086 ；\
               localhost:8081/api/orders/P2024001/cancel；/api/patients/search。";
    assert_eq!(
        named(
            &[
                "/api/patients/{id}",
                "/api/orders/{no}/cancel",
                "/api/doctors/{id}",
                "/api/patients/search",
            ],
            doc
        ),
        vec![true, true, false, true]
    );
    // A word without a digit is no example value.
    assert_eq!(
        named(&["/api/patients/{id}"], "见 /api/patients/search"),
        vec![false]
    );
}

#[test]
fn documented_scales() {
    let endpoints: Vec<Endpoint> = (0..5000)
        .map(|i| ep(&format!("/api/m{i}/items/{{id}}")))
        .collect();
    let mut doc = String::new();
    for i in (0..5000).step_by(2) {
        doc.push_str(&format!("GET /api/m{i}/items/{{itemId}} 查询\n"));
    }
    while doc.len() < 4 << 20 {
        doc.push_str("无关的说明文字 /static/img/logo.png 与 /api/x/items/1\n");
    }
    let start = std::time::Instant::now();
    let got = documented(&endpoints, &doc);
    assert!(start.elapsed() < std::time::Duration::from_secs(20));
    for (i, g) in got.iter().enumerate() {
        assert_eq!(*g, i % 2 == 0, "{i}");
    }
}

#[test]
fn his_sample_fixture_endpoints() {
    let root = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/deliveries/his-sample"
    );
    let files = [
        "internet-hospital/src/main/java/com/sxyl/ih/controller/ConsultationController.java",
        "internet-hospital/src/main/java/com/sxyl/ih/controller/PatientController.java",
        "internet-hospital/src/main/java/com/sxyl/ih/common/GlobalExceptionHandler.java",
        "internet-hospital/src/main/java/com/sxyl/ih/service/PatientService.java",
        "internet-hospital/web/src/api/consultation.js",
        "internet-hospital/web/vite.config.js",
        "health-cloud-booking/src/main/java/com/sxyl/booking/controller/AppointmentController.java",
        "jingtong/src/main/java/com/sxyl/jingtong/controller/MedicalCardController.java",
        "jingtong/src/main/java/com/sxyl/jingtong/client/JingtongGatewayClient.java",
        "self-service/SelfService.Kiosk/Controllers/SelfServiceController.cs",
        "self-service/SelfService.Kiosk/Program.cs",
    ];
    let mut all = Vec::new();
    for f in files {
        assert!(is_candidate(f.as_bytes()), "{f}");
        let text = std::fs::read_to_string(format!("{root}/{f}")).expect("fixture");
        all.extend(find(f, &text));
    }
    let got: Vec<(&str, &str, &str)> = all
        .iter()
        .map(|e| (e.method.as_str(), e.path.as_str(), e.framework.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("POST", "/api/ih/consultations", "Spring"),
            ("GET", "/api/ih/consultations", "Spring"),
            ("POST", "/api/ih/consultations/{id}/accept", "Spring"),
            ("POST", "/api/ih/consultations/{id}/finish", "Spring"),
            ("GET", "/api/ih/patients/{patientId}", "Spring"),
            ("POST", "/api/booking/appointments", "Spring"),
            ("GET", "/api/booking/appointments/mine", "Spring"),
            (
                "POST",
                "/api/booking/appointments/{appointmentId}/cancel",
                "Spring"
            ),
            ("POST", "/api/jt/medical-cards/bind", "Spring"),
            ("POST", "/api/self/admission", "ASP.NET"),
            ("POST", "/api/self/settlement/pre", "ASP.NET"),
            ("POST", "/api/self/settlement/confirm", "ASP.NET"),
        ]
    );
    // The delivered interface document names every endpoint.
    let doc = std::fs::read_to_string(format!("{root}/docs/接口说明文档.md")).expect("fixture");
    let named: Vec<&str> = all
        .iter()
        .zip(documented(&all, &doc))
        .filter(|(_, d)| !d)
        .map(|(e, _)| e.path.as_str())
        .collect();
    assert!(named.is_empty(), "not documented: {named:?}");
}
