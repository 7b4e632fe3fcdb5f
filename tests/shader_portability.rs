//! The GPU plot's shader is valid without any optional capability, and translates to the shading
//! language of every backend wgpu runs it on: SPIR-V (Vulkan), MSL (Metal), HLSL (DX12) and GLSL ES
//! 3.00 (OpenGL ES and WebGL2, wgpu's lowest GL target). wgpu does the same translation with the
//! same naga at run time, so a shader that fails here would fail on that platform's GPU. The
//! renderer's pixel tests (`src/plot/gpu.rs`) run it on Vulkan here; Metal and DX12 machines are not
//! at hand, and this is what can be proved about them without one.
#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test that cannot unwrap has failed

use headroom::plot::gpu::SHADER;
use naga::back::{glsl, hlsl, msl, spv};
use naga::valid::{Capabilities, ModuleInfo, ValidationFlags, Validator};

fn module() -> (naga::Module, ModuleInfo) {
    let module = naga::front::wgsl::parse_str(SHADER).unwrap_or_else(|e| panic!("{}", e.emit_to_string(SHADER)));
    // No capabilities: the shader needs nothing beyond WebGPU's core.
    let info =
        Validator::new(ValidationFlags::all(), Capabilities::empty()).validate(&module).expect("valid without optional capabilities");
    (module, info)
}

#[test]
fn the_plot_shader_translates_to_spir_v_for_vulkan() {
    let (module, info) = module();
    let words = spv::write_vec(&module, &info, &spv::Options::default(), None).expect("SPIR-V");
    assert_eq!(words[0], 0x0723_0203, "a SPIR-V module");
}

#[test]
fn the_plot_shader_translates_to_msl_for_metal() {
    let (module, info) = module();
    let (text, _) = msl::write_string(&module, &info, &msl::Options::default(), &msl::PipelineOptions::default()).expect("MSL");
    assert!(text.contains("vertex ") && text.contains("fragment "), "{text}");
}

#[test]
fn the_plot_shader_translates_to_hlsl_for_dx12() {
    let (module, info) = module();
    let mut text = String::new();
    let options = hlsl::Options::default();
    hlsl::Writer::new(&mut text, &options, &hlsl::PipelineOptions::default()).write(&module, &info, None).expect("HLSL");
    assert!(text.contains("vs_main") && text.contains("SV_Position"), "{text}");
}

#[test]
fn the_plot_shader_translates_to_glsl_es_for_gl_and_webgl() {
    let (module, info) = module();
    for (stage, entry) in [(naga::ShaderStage::Vertex, "vs_main"), (naga::ShaderStage::Fragment, "fs_main")] {
        let mut text = String::new();
        let options = glsl::Options { version: glsl::Version::Embedded { version: 300, is_webgl: true }, ..glsl::Options::default() };
        let pipeline = glsl::PipelineOptions { shader_stage: stage, entry_point: entry.to_owned(), multiview: None };
        glsl::Writer::new(&mut text, &module, &info, &options, &pipeline, naga::proc::BoundsCheckPolicies::default())
            .and_then(|mut w| w.write())
            .unwrap_or_else(|e| panic!("GLSL ES 3.00 for {entry}: {e}"));
        assert!(text.starts_with("#version 300 es"), "{text}");
    }
}
