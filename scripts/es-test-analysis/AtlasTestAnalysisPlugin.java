// The analysis components Elasticsearch's .security index needs and the integ-test-zip lacks (they
// live in the analysis-common module, which is not on Maven Central): the pattern_capture and
// unique token filters and the uax_url_email tokenizer. scripts/elasticsearch compiles this
// plugin against the distribution's own jars and installs it in the secured test node only, so
// that node can store API keys. Test clusters only; a real cluster has analysis-common.
package org.atlasapp.estest;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.email.UAX29URLEmailTokenizer;
import org.apache.lucene.analysis.miscellaneous.RemoveDuplicatesTokenFilter;
import org.apache.lucene.analysis.pattern.PatternCaptureGroupTokenFilter;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

public class AtlasTestAnalysisPlugin extends Plugin implements AnalysisPlugin {
    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        AnalysisProvider<TokenFilterFactory> capture = (indexSettings, env, name, settings) -> {
            boolean preserve = settings.getAsBoolean("preserve_original", true);
            List<String> regexes = settings.getAsList("patterns");
            Pattern[] patterns = regexes.stream().map(Pattern::compile).toArray(Pattern[]::new);
            return new TokenFilterFactory() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public TokenStream create(TokenStream in) {
                    return new PatternCaptureGroupTokenFilter(in, preserve, patterns);
                }
            };
        };
        AnalysisProvider<TokenFilterFactory> unique = (indexSettings, env, name, settings) -> new TokenFilterFactory() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public TokenStream create(TokenStream in) {
                return new RemoveDuplicatesTokenFilter(in);
            }
        };
        return Map.of("pattern_capture", capture, "unique", unique);
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        AnalysisProvider<TokenizerFactory> email = (indexSettings, env, name, settings) ->
            TokenizerFactory.newFactory(name, () -> (Tokenizer) new UAX29URLEmailTokenizer());
        return Map.of("uax_url_email", email);
    }
}
