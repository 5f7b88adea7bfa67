module github.com/atlasapp/atlas

go 1.26.8
